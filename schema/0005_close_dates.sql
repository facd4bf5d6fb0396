-- fundpool schema 5: the business date a month was closed on (the seal's timestamp is when the
-- command ran; the deadline monitor needs the date the finance office closed the month).
ALTER TABLE seal ADD COLUMN closed_on TEXT;
