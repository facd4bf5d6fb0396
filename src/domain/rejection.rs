//! Rejections: every rule a voucher or a workflow step can break, one variant per rule.
//!
//! Each variant has a stable code (`code()`, the variant name) that tests and scripts match
//! on, and a message in the staff's language that says what is wrong and what to do.
//! Validation collects all rejections of a voucher, in a fixed order, instead of stopping
//! at the first.

use super::ids::{BookCode, Period};
use crate::money::Money;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejection {
    #[error("{0}")]
    BookNotFound(String),
    #[error("凭证只有 {count} 行分录：一张凭证至少要有两行（一借一贷）")]
    AtLeastTwoLines { count: usize },
    #[error("第 {line} 行属于账簿 {line_book}，凭证属于 {book}：一张凭证不得跨基金（{fund} 与 {line_fund} 分别建账、分账核算）")]
    OneFundOnly { line: usize, book: BookCode, line_book: BookCode, fund: String, line_fund: String },
    #[error("第 {line} 行属于账簿 {line_book}，凭证属于 {book}：一张凭证只能记入一个账簿")]
    OneBookOnly { line: usize, book: BookCode, line_book: BookCode },
    #[error("第 {line} 行：科目 {account} 不在科目表中")]
    AccountNotFound { line: usize, account: String },
    #[error("第 {line} 行：科目 {account} {name} 有明细科目，只能记到末级科目（如 {example}）")]
    AccountMustBeLeaf { line: usize, account: String, name: String, example: String },
    #[error("第 {line} 行：科目 {account} {name} 不适用于{kind_label}的账簿 {book}")]
    AccountNotAllowedInBook { line: usize, account: String, name: String, kind_label: String, book: BookCode },
    #[error("第 {line} 行：金额 {amount} 必须大于零（更正已记账凭证请用红字冲销）")]
    AmountMustBePositive { line: usize, amount: Money },
    #[error("第 {line} 行：摘要不能为空")]
    SummaryRequired { line: usize },
    #[error("借方合计 {debit} 不等于贷方合计 {credit}，相差 {difference}")]
    DebitsMustEqualCredits { debit: Money, credit: Money, difference: Money },
    #[error("账簿 {book} 的 {period} 期间已结账，不能再记入；请记入未结账的期间或先反结账")]
    PeriodMustBeOpen { book: BookCode, period: Period },
    #[error(
        "外部编号 {external_id} 在账簿 {book} 中已有凭证 {number}，内容不同；不会覆盖，请换用新编号或先冲销原凭证"
    )]
    ExistsWithDifferentContent { book: BookCode, external_id: String, number: String },
    #[error("审核人不能是制单人 {maker}（制单与审核须由两人完成）")]
    ReviewerMustDifferFromMaker { maker: String },
    #[error("账簿 {book} 中没有凭证 {number}")]
    VoucherNotFound { book: BookCode, number: String },
    #[error("凭证 {number} 状态为{status}，不能{action}")]
    WrongStatus { number: String, status: String, action: String },
    #[error("凭证 {number} 已被 {reversal} 冲销，一张凭证只能冲销一次")]
    AlreadyReversed { number: String, reversal: String },
    #[error("凭证 {number} 本身是红字冲销凭证，不能再冲销")]
    ReversalCannotBeReversed { number: String },
    #[error("金额计算溢出")]
    AmountOverflow,
    #[error("账簿 {book} 已结账至 {closed_through}，{period} 不能再记入（已结账的月份及其以前都已封存）；请记入 {first_open} 或以后的期间，或先反结账")]
    BeforeClosedPeriod { book: BookCode, period: Period, closed_through: Period, first_open: Period },
    #[error("日期 {date} 不在可记账的范围内：应在 {earliest}（本市统筹开始）至 {latest}（今天起一年内）之间")]
    DateOutOfRange { date: chrono::NaiveDate, earliest: chrono::NaiveDate, latest: chrono::NaiveDate },
    #[error("凭证有 {count} 行分录，超过上限 {max} 行：请分成几张凭证")]
    TooManyLines { count: usize, max: usize },
    #[error("第 {line} 行：摘要有 {chars} 个字符，超过上限 {max} 个")]
    SummaryTooLong { line: usize, chars: usize, max: usize },
    #[error("第 {line} 行：{field}含有控制字符或不可见字符（如换行、制表符、NUL、零宽空格或改变文字方向的字符），请删除后再导入")]
    ControlCharacters { line: usize, field: String },
    #[error("第 {line} 行：{field}有 {chars} 个字符，超过上限 {max} 个")]
    FieldTooLong { line: usize, field: String, chars: usize, max: usize },
    #[error("与账簿 {book} 已有的凭证 {number} 完全相同（日期、分录、摘要一致，且都没有外部编号），疑似重复导入；确需重复请加 --allow-duplicates")]
    ProbableDuplicate { book: BookCode, number: String },
}

impl Rejection {
    /// The stable code of the rule, for scripts and tests.
    pub fn code(&self) -> &'static str {
        match self {
            Rejection::BookNotFound(_) => "BookNotFound",
            Rejection::AtLeastTwoLines { .. } => "AtLeastTwoLines",
            Rejection::OneFundOnly { .. } => "OneFundOnly",
            Rejection::OneBookOnly { .. } => "OneBookOnly",
            Rejection::AccountNotFound { .. } => "AccountNotFound",
            Rejection::AccountMustBeLeaf { .. } => "AccountMustBeLeaf",
            Rejection::AccountNotAllowedInBook { .. } => "AccountNotAllowedInBook",
            Rejection::AmountMustBePositive { .. } => "AmountMustBePositive",
            Rejection::SummaryRequired { .. } => "SummaryRequired",
            Rejection::DebitsMustEqualCredits { .. } => "DebitsMustEqualCredits",
            Rejection::PeriodMustBeOpen { .. } => "PeriodMustBeOpen",
            Rejection::ExistsWithDifferentContent { .. } => "ExistsWithDifferentContent",
            Rejection::ReviewerMustDifferFromMaker { .. } => "ReviewerMustDifferFromMaker",
            Rejection::VoucherNotFound { .. } => "VoucherNotFound",
            Rejection::WrongStatus { .. } => "WrongStatus",
            Rejection::AlreadyReversed { .. } => "AlreadyReversed",
            Rejection::ReversalCannotBeReversed { .. } => "ReversalCannotBeReversed",
            Rejection::AmountOverflow => "AmountOverflow",
            Rejection::BeforeClosedPeriod { .. } => "BeforeClosedPeriod",
            Rejection::DateOutOfRange { .. } => "DateOutOfRange",
            Rejection::TooManyLines { .. } => "TooManyLines",
            Rejection::SummaryTooLong { .. } => "SummaryTooLong",
            Rejection::ControlCharacters { .. } => "ControlCharacters",
            Rejection::FieldTooLong { .. } => "FieldTooLong",
            Rejection::ProbableDuplicate { .. } => "ProbableDuplicate",
        }
    }
}
