-- fundpool schema 8: what each county's matching subsidy (TS 8) is computed from — its June-end
-- resident headcount and the per-capita standard — so the deadline monitor can say how much is
-- due, not only when. Protected by the record log.

CREATE TABLE matching_basis (
    year           INTEGER NOT NULL,
    party          TEXT NOT NULL,
    headcount      INTEGER NOT NULL CONSTRAINT matching_basis_headcount_positive CHECK (headcount > 0),
    per_capita_fen INTEGER NOT NULL CONSTRAINT matching_basis_standard_positive CHECK (per_capita_fen > 0),
    PRIMARY KEY (year, party)
) STRICT;
