//! The command line's grammar: every command, option and argument, with the Chinese help
//! staff read (`--help` shows each option's format with an example). Codes and option names
//! stay ASCII: they are contracts scripts use. `help.rs` turns clap's own English words
//! (headings, defaults, errors) into Chinese.

use super::{demo, statements};
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// The `--format` values; `xlsx` needs `--output` and serves the reports staff hand on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    Table,
    Json,
    Csv,
    Xlsx,
}

/// Exit codes: 0 ok; 1 input or data refused; 2 usage; 3 reconciliation differences;
/// 4 deadlines overdue; 5 integrity check failed; 70 internal error; 75 busy (another writer
/// held the database past the busy timeout; nothing was written).
pub mod exit {
    pub const OK: i32 = 0;
    pub const REFUSED: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const DIFFERENCES: i32 = 3;
    pub const OVERDUE: i32 = 4;
    pub const INTEGRITY: i32 = 5;
    pub const INTERNAL: i32 = 70;
    pub const BUSY: i32 = 75;
}

#[derive(Parser, Debug)]
#[command(name = "fundpool", version, about = "医保基金市级统筹 记账、对账与报表 (fundpool)")]
pub struct Cli {
    /// 数据库文件（SQLite），如 --db jm.db；默认 fundpool.db，demo 与 serve --demo 默认 fundpool-demo.db。
    #[arg(long, global = true, value_name = "文件")]
    pub db: Option<PathBuf>,
    /// 操作员姓名，记为制单人/审核人/记账人，如 --operator 张会计。
    #[arg(long, global = true, env = "FUNDPOOL_OPERATOR", value_name = "姓名")]
    pub operator: Option<String>,
    /// 工作日历目录（内含 YYYY.toml，格式同 fixtures/calendar/），补充内置的 2022–2026 年日历（同一年以目录中的为准），如 --calendar ./calendar。
    #[arg(long, global = true, env = "FUNDPOOL_CALENDAR", value_name = "目录")]
    pub calendar: Option<PathBuf>,
    /// 输出格式：table 表格、json、csv（带 BOM，Excel 可直接打开）、xlsx（需 --output），如 --format csv。
    #[arg(long, global = true, value_enum, default_value = "table", value_name = "格式")]
    pub format: FormatArg,
    /// CSV 中金额不加千分位（1234.56 而非 1,234.56），便于程序读取。
    #[arg(long, global = true)]
    pub raw_amounts: bool,
    /// 表格显示全部列宽，不按终端宽度截短摘要。
    #[arg(long, global = true)]
    pub wide: bool,
    /// 不经 $PAGER 分页，直接输出。
    #[arg(long, global = true)]
    pub no_pager: bool,
    /// 显示时间所用的时区（库中按 UTC 保存）：Asia/Shanghai（默认）、UTC 或 +08:00，如 --time-zone UTC。
    #[arg(long, global = true, env = "FUNDPOOL_TIME_ZONE", default_value = "Asia/Shanghai", value_name = "时区")]
    pub time_zone: String,
    /// 写操作等待其他写入者的秒数，超时则放弃（退出码 75，未写入任何内容），如 --busy-timeout 60。
    #[arg(long, global = true, env = "FUNDPOOL_BUSY_TIMEOUT", default_value_t = 30, value_name = "秒")]
    pub busy_timeout: u64,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 建账：按城市目录创建数据库（账簿、科目表、设置与规则）。
    Init {
        /// 城市目录，内含 city.toml、chart.toml、rules.toml，如 --city fixtures/jingmen。
        #[arg(long, value_name = "目录")]
        city: PathBuf,
    },
    /// 凭证：录入、作废、查看、查询、打印。
    #[command(subcommand)]
    Voucher(VoucherCommand),
    /// 导入凭证：CSV（UTF-8 或 GBK）或 xlsx 文件，整个文件一个事务，所有错误行一并报告。
    Import {
        /// 凭证文件，如 vouchers.csv 或 凭证.xlsx。
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 一步记账（可信的系统接口数据），须同时给 --reviewer。
        #[arg(long)]
        post: bool,
        /// 与 --post 同用：记录的审核人（不得与操作员相同），如 --reviewer 李审核。
        #[arg(long, value_name = "姓名")]
        reviewer: Option<String>,
        /// 导入与账中已有凭证完全相同（日期、分录、摘要相同且无外部编号）的凭证，而不当作疑似重复拒绝。
        #[arg(long)]
        allow_duplicates: bool,
    },
    /// 审核：把草稿凭证标为已审核。
    Review(Selection),
    /// 记账：记已审核的凭证；或给出事件文件，记其中的业务事件。
    Post {
        /// 事件文件（TOML 或 JSON），每个事件生成其凭证，全部成功或全部不记，如 events.toml。
        #[arg(value_name = "事件文件")]
        events: Option<PathBuf>,
        #[command(flatten)]
        selection: Selection,
        /// 与事件文件同用：一步记账，须同时给 --reviewer。
        #[arg(long)]
        post: bool,
        /// 与 --post 同用：记录的审核人（不得与操作员相同），如 --reviewer 李审核。
        #[arg(long, value_name = "姓名")]
        reviewer: Option<String>,
    },
    /// 录入一笔业务事件：event 类型 --字段 值 …（全局选项写在 event 之前；字段中可加 --post --reviewer 姓名）。
    Event {
        /// 事件类型，如 benefit_payment（待遇支付）。
        #[arg(value_name = "类型")]
        kind: String,
        /// 事件字段，成对给出：--id、--date、--fund、--ref、--summary …，如 --date 2023-03-05 --fund employee。
        #[arg(trailing_var_arg = true, allow_hyphen_values = true, value_name = "字段")]
        fields: Vec<String>,
    },
    /// 红字冲销：以红字凭证冲销一张已记账凭证。
    Reverse {
        /// 账簿（机构/基金），如 --book shayang/employee。
        #[arg(long, value_name = "账簿")]
        book: String,
        /// 要冲销的凭证号，如 --number 记-2023-01-0001。
        #[arg(long, value_name = "凭证号")]
        number: String,
        /// 冲销日期 YYYY-MM-DD（默认与原凭证同日），所在月份须未结账。
        #[arg(long, value_name = "日期")]
        date: Option<String>,
        /// 审核此冲销的人（不得与操作员相同），如 --reviewer 李审核。
        #[arg(long, value_name = "姓名")]
        reviewer: String,
    },
    /// 序时账：一个账簿的凭证，按日期和凭证号排列。
    Journal {
        #[command(flatten)]
        range: BookRange,
        /// 包括草稿、已审核和作废的凭证（显示状态列），不只已记账的。
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        export: Export,
    },
    /// 明细账：一个科目的逐笔记录、余额、本月合计与本年累计。
    Account {
        #[command(flatten)]
        range: BookRange,
        /// 科目代码（上级科目含其明细科目），如 --account 1003。
        #[arg(long, value_name = "科目")]
        account: String,
        #[command(flatten)]
        export: Export,
    },
    /// 科目余额表：各科目期初、借方、贷方、期末。
    TrialBalance {
        #[command(flatten)]
        range: BookRange,
        #[command(flatten)]
        export: Export,
    },
    /// 结账：对账无差异后结一个月（全部账簿或一个），写入封存记录。
    Close {
        /// 月份 YYYY-MM，如 --period 2023-04。
        #[arg(long, value_name = "月份")]
        period: String,
        /// 只结一个账簿，如 --book shayang/employee。
        #[arg(long, value_name = "账簿")]
        book: Option<String>,
        /// 最近一次对账有差异仍结账（须给 --reason）。
        #[arg(long)]
        accept_differences: bool,
        /// 接受差异的理由（记入封存记录），如 --reason "在途款项，次月到账"。
        #[arg(long, value_name = "理由")]
        reason: Option<String>,
        /// 结账日期 YYYY-MM-DD（默认今天）。
        #[arg(long, value_name = "日期")]
        on: Option<String>,
    },
    /// 报表：资产负债表、收支表、科目余额表；一个账簿或全市合并。
    Report {
        /// 报表种类：balance-sheet 资产负债表、income-expenditure 收支表、trial-balance 科目余额表。
        #[arg(value_enum, value_name = "种类")]
        kind: statements::ReportKind,
        /// 账簿，如 --book city/employee。
        #[arg(long, value_name = "账簿")]
        book: Option<String>,
        /// 基金：employee 职工医保 或 resident 居民医保（也可写中文名），与 --consolidated 同用。
        #[arg(long, value_name = "基金")]
        fund: Option<String>,
        /// 全市按基金合并，市县之间的上下级往来相互抵销（与 --fund 同用）。
        #[arg(long)]
        consolidated: bool,
        /// 月份 YYYY-MM，如 --period 2023-06。
        #[arg(long, value_name = "月份")]
        period: Option<String>,
        /// 年度，如 --year 2023。
        #[arg(long, value_name = "年度")]
        year: Option<i32>,
        /// 写入此文件（--format xlsx 时必须），如 --output 资产负债表.xlsx。
        #[arg(long, value_name = "文件")]
        output: Option<PathBuf>,
        /// --output 文件已存在时覆盖（绝不覆盖数据库）。
        #[arg(long)]
        force: bool,
    },
    /// 期末结转：12 月 31 日把收入、支出结转到一般基金（12 月结账之前）。
    YearEnd {
        /// 年度，如 --year 2023。
        #[arg(long, value_name = "年度")]
        year: i32,
        /// 只结转一个账簿，如 --book shayang/employee。
        #[arg(long, value_name = "账簿")]
        book: Option<String>,
        /// 审核结转凭证的人（不得与操作员相同），如 --reviewer 李审核。
        #[arg(long, value_name = "姓名")]
        reviewer: String,
    },
    /// 反结账：重新打开最近结账的月份。
    Reopen {
        /// 月份 YYYY-MM，如 --period 2023-04。
        #[arg(long, value_name = "月份")]
        period: String,
        /// 反结账理由（记入日志），如 --reason "补记漏记凭证"。
        #[arg(long, value_name = "理由")]
        reason: String,
    },
    /// 对账单：税务、国库和银行的记录。
    #[command(subcommand)]
    Statement(StatementCommand),
    /// 月末对账：全部检查（或一项）、全部基金（或一个）；有差异时退出码 3。
    Reconcile {
        /// 月份 YYYY-MM，如 --period 2023-04。
        #[arg(long, value_name = "月份")]
        period: String,
        /// 只做一项检查：tax_treasury 税务↔国库、treasury_finance 国库↔财政专户、finance_agency
        /// 财政专户↔经办机构、city_county 市↔县、bank 银行、invariants 账内勾稽，如 --check bank。
        #[arg(long, value_name = "检查")]
        check: Option<String>,
        /// 只对一个基金：employee 或 resident，如 --fund employee。
        #[arg(long, value_name = "基金")]
        fund: Option<String>,
        /// 显示已保存的第 N 次对账结果，不重新对账，如 --run 12。
        #[arg(long, conflicts_with_all = ["check", "fund"], value_name = "编号")]
        run: Option<i64>,
    },
    /// 余额核对：由凭证分录重算余额并与保存的余额比较。
    Check,
    /// 完整性校验：重算哈希链、记录日志、余额和封存；给 --anchor 时证明数据库仍含每个锚点状态、只追加未改动。
    Verify {
        /// anchor 命令写出或 close 打印的锚点文件（可重复），如 --anchor anchor-2023-01.txt。
        #[arg(long = "anchor", value_name = "文件")]
        anchors: Vec<PathBuf>,
    },
    /// 写出锚点：各哈希链的链头和最新封存，保存在数据库之外。
    Anchor {
        /// 写入此文件（默认输出到屏幕），如 --output anchor.txt。
        #[arg(long, value_name = "文件")]
        output: Option<PathBuf>,
        /// --output 文件已存在时覆盖。
        #[arg(long)]
        force: bool,
    },
    /// 备份：在他人写入时也能得到一致的数据库副本（SQLite 在线备份）。
    Backup {
        /// 备份文件，如 backup-2023-12.db。
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 文件已存在时覆盖（绝不覆盖数据库本身）。
        #[arg(long)]
        force: bool,
    },
    /// 升级：把旧版数据库的结构升级到本程序的版本（写操作也会自动升级）。
    Upgrade,
    /// 用款计划：创建、导入、报送、汇总、审批、复核、查看、导出。
    #[command(subcommand)]
    Plan(PlanCommand),
    /// 预算：导入、风险调剂金、配套补助基数。
    #[command(subcommand)]
    Budget(BudgetCommand),
    /// 规则：显示当日有效的本市规则（期限、比例等，各附条款）；rules set 记录新版本。
    Rules {
        #[command(subcommand)]
        action: Option<RulesCommand>,
        /// 查看哪一天有效的规则 YYYY-MM-DD（默认今天），如 --as-of 2023-06-30。
        #[arg(long, value_name = "日期")]
        as_of: Option<String>,
    },
    /// 归集计划：应上解的结余、到期定期存款和备付金。
    Schedule {
        /// 只看一个机构，如 --party shayang。
        #[arg(long, value_name = "机构")]
        party: Option<String>,
        /// 只看一个基金：employee 或 resident。
        #[arg(long, value_name = "基金")]
        fund: Option<String>,
    },
    /// 期限监控：时间表中每项义务在某日的状态；有逾期时退出码 4。
    Deadlines {
        /// 截至日期 YYYY-MM-DD，如 --as-of 2023-06-10。
        #[arg(long, value_name = "日期")]
        as_of: String,
        /// 只看一个机构，如 --party shayang。
        #[arg(long, value_name = "机构")]
        party: Option<String>,
    },
    /// 缺口分担：分担一年的政策性缺口、开列管理性缺口（输入为 TOML 文件）。
    Gaps {
        /// 缺口文件（TOML），如 --input gaps-2023.toml。
        #[arg(long, value_name = "文件")]
        input: PathBuf,
    },
    /// 县级考核：完成率和激励。
    Assess {
        /// 年度，如 --year 2023。
        #[arg(long, value_name = "年度")]
        year: i32,
        /// 只看一个基金：employee 或 resident。
        #[arg(long, value_name = "基金")]
        fund: Option<String>,
        /// 各县应付、已付的管理性缺口（TOML，同 gaps），如 --input gaps-2023.toml。
        #[arg(long, value_name = "文件")]
        input: Option<PathBuf>,
    },
    /// 年终结算（该年 12 月结账后）：各县预算与决算、管理性缺口、激励、考核保证金返还或扣留、政策性缺口分担；每次结算留档，重算时列出变化。
    Settle {
        /// 年度，如 --year 2023。
        #[arg(long, value_name = "年度")]
        year: i32,
        /// 只算一个基金：employee 或 resident。
        #[arg(long, value_name = "基金")]
        fund: Option<String>,
        /// 把结算引起的事件（保证金返还）写成待记账的事件文件，如 --output settle-2023.toml。
        #[arg(long, value_name = "文件")]
        output: Option<PathBuf>,
        /// --output 文件已存在时覆盖。
        #[arg(long)]
        force: bool,
    },
    /// 演示：为一个城市新建演示账套，跑完一整年并给出摘要。
    Demo {
        /// 城市：jingmen 荆门市（默认）或 wuhan 武汉市，如 --city wuhan。
        #[arg(long, value_enum, default_value = "jingmen", value_name = "城市")]
        city: demo::DemoCity,
    },
    /// 服务：为各经办机构和财政局提供中文网页和 JSON 接口（默认只监听本机）。
    Serve {
        /// 监听地址，如 --listen 127.0.0.1:8080；对其他机器服务时请在前面放 TLS 反向代理。
        #[arg(long, default_value = "127.0.0.1:8080", value_name = "地址")]
        listen: std::net::SocketAddr,
        /// 登录有效分钟数，如 --session-minutes 480。
        #[arg(long, default_value_t = 480, value_name = "分钟")]
        session_minutes: i64,
        /// 演示账套（默认 fundpool-demo.db）：为每种角色添加一个演示用户并打印出来。
        #[arg(long)]
        demo: bool,
        /// 本机反向代理之后：记录代理放在 X-Forwarded-For 中的客户端地址（只信任来自本机的请求）。
        #[arg(long)]
        trust_proxy: bool,
    },
    /// 用户：登记用户及其在各机构的权限（有第一位管理员之后，须管理员操作）。
    #[command(subcommand)]
    User(UserCommand),
    /// 审计日志：每次写入和每次拒绝，含操作人、时间、来源地址和对象。
    Audit {
        /// 只看一个用户，如 --user 张会计。
        #[arg(long, value_name = "用户")]
        user: Option<String>,
        /// 起始日期 YYYY-MM-DD，如 --from 2023-01-01。
        #[arg(long, value_name = "日期")]
        from: Option<String>,
        /// 截止日期 YYYY-MM-DD，如 --to 2023-01-31。
        #[arg(long, value_name = "日期")]
        to: Option<String>,
    },
    /// 命令补全脚本：fundpool completions bash > /etc/bash_completion.d/fundpool。
    Completions {
        /// 外壳：bash、zsh 或 fish。
        #[arg(value_enum, value_name = "外壳")]
        shell: CompletionShell,
    },
    /// 手册页（man）：fundpool man > fundpool.1，再用 man ./fundpool.1 查看。
    Man,
}

/// The shells `completions` writes a script for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// 添加用户：密码从标准输入读取（--password-stdin）或在终端询问。
    Add {
        /// 用户名，如 张会计。
        #[arg(value_name = "用户名")]
        name: String,
        /// 尚无用户的数据库的第一位管理员（无须登录；获得全部机构的管理权限）。
        #[arg(long)]
        first_admin: bool,
        /// 从标准输入的第一行读取新用户的密码。
        #[arg(long)]
        password_stdin: bool,
    },
    /// 列出所有用户及其权限。
    List,
    /// 停用用户（其记录保留）。
    Disable {
        /// 用户名，如 张会计。
        #[arg(value_name = "用户名")]
        name: String,
    },
    /// 设置用户密码。
    Passwd {
        /// 用户名，如 张会计。
        #[arg(value_name = "用户名")]
        name: String,
        /// 从标准输入的第一行读取新密码。
        #[arg(long)]
        password_stdin: bool,
    },
    /// 授权：在一个机构（* 为全部机构）授予角色。
    Grant {
        /// 用户名，如 张会计。
        #[arg(value_name = "用户名")]
        name: String,
        /// 机构代码或 *，如 --party shayang。
        #[arg(long, value_name = "机构")]
        party: String,
        /// 角色：maker 制单、reviewer 审核、poster 记账、closer 结账、reader 查询、admin 管理，如 --role maker。
        #[arg(long, value_name = "角色")]
        role: String,
    },
    /// 收回授权。
    Revoke {
        /// 用户名，如 张会计。
        #[arg(value_name = "用户名")]
        name: String,
        /// 机构代码或 *，如 --party shayang。
        #[arg(long, value_name = "机构")]
        party: String,
        /// 角色：maker、reviewer、poster、closer、reader、admin，如 --role maker。
        #[arg(long, value_name = "角色")]
        role: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum PlanCommand {
    /// 在命令行上创建用款计划草稿。
    Create {
        /// 机构代码，如 --party shayang。
        #[arg(long, value_name = "机构")]
        party: String,
        /// 基金：employee 或 resident。
        #[arg(long, value_name = "基金")]
        fund: String,
        /// 季度（或按月计划的月份），如 --quarter 2023Q2。
        #[arg(long, value_name = "季度")]
        quarter: String,
        /// 本期合计（元），各行须加总等于它，如 --total 60000000.00。
        #[arg(long, value_name = "金额")]
        total: String,
        /// 月份:类别:金额，可重复，如 --line 2023-04:inpatient:20000000.00。
        #[arg(long = "line", value_name = "月份:类别:金额")]
        lines: Vec<String>,
    },
    /// 从 CSV 导入用款计划草稿：party,fund,quarter,total,month,category,amount。
    Import {
        /// 计划文件（CSV），如 plans-2023Q2.csv。
        #[arg(value_name = "文件")]
        file: PathBuf,
    },
    /// 经办机构报送计划（期限见本市规则）。
    Submit {
        /// 机构代码，如 --party shayang。
        #[arg(long, value_name = "机构")]
        party: String,
        /// 基金：employee 或 resident。
        #[arg(long, value_name = "基金")]
        fund: String,
        /// 季度，如 --quarter 2023Q2。
        #[arg(long, value_name = "季度")]
        quarter: String,
        /// 办理日期 YYYY-MM-DD（默认今天）。
        #[arg(long, value_name = "日期")]
        on: Option<String>,
    },
    /// 市经办机构汇总各经办机构的计划。
    Combine(PlanScope),
    /// 医保局审批汇总计划。
    Approve(PlanScope),
    /// 财政局复核已审批的计划。
    Check(PlanScope),
    /// 查看计划：各月、合计、保证金和流程。
    Show {
        /// 只看一个基金：employee 或 resident。
        #[arg(long, value_name = "基金")]
        fund: Option<String>,
        /// 只看一个季度，如 --quarter 2023Q2。
        #[arg(long, value_name = "季度")]
        quarter: Option<String>,
    },
    /// 把已审批计划的拨款事件导出为待记账的事件文件。
    Export {
        /// 基金：employee 或 resident。
        #[arg(long, value_name = "基金")]
        fund: String,
        /// 季度，如 --quarter 2023Q2。
        #[arg(long, value_name = "季度")]
        quarter: String,
        /// 写入此文件（默认输出到屏幕），如 --output allocations.toml。
        #[arg(long, value_name = "文件")]
        output: Option<PathBuf>,
        /// --output 文件已存在时覆盖。
        #[arg(long)]
        force: bool,
    },
}

#[derive(Args, Debug)]
pub struct PlanScope {
    /// 基金：employee 或 resident。
    #[arg(long, value_name = "基金")]
    pub fund: String,
    /// 季度，如 --quarter 2023Q2。
    #[arg(long, value_name = "季度")]
    pub quarter: String,
    /// 办理日期 YYYY-MM-DD（默认今天）。
    #[arg(long, value_name = "日期")]
    pub on: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum RulesCommand {
    /// 从 rules.toml 记录规则的新版本，自某日起施行。
    Set {
        /// 规则文件，如 fixtures/jingmen/rules.toml。
        #[arg(value_name = "文件")]
        file: PathBuf,
        /// 施行日期 YYYY-MM-DD，如 --from 2024-01-01。
        #[arg(long, value_name = "日期")]
        from: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum BudgetCommand {
    /// 从 CSV 导入预算：year,party,fund,income,expenditure。
    Import {
        /// 预算文件（CSV），如 budgets-2024.csv。
        #[arg(value_name = "文件")]
        file: PathBuf,
    },
    /// 风险调剂金：从一年支出预算中提取的数额及比例规则。
    Reserve {
        /// 年度，如 --year 2024。
        #[arg(long, value_name = "年度")]
        year: i32,
        /// 基金：employee 或 resident。
        #[arg(long, value_name = "基金")]
        fund: String,
    },
    /// 县级配套补助基数：6 月末居民参保人数 × 人均配套标准。
    Matching {
        /// 年度，如 --year 2023。
        #[arg(long, value_name = "年度")]
        year: i32,
        /// 县（机构代码），如 --party shayang。
        #[arg(long, value_name = "机构")]
        party: String,
        /// 6 月末居民参保人数，如 --headcount 463000。
        #[arg(long, value_name = "人数")]
        headcount: u64,
        /// 人均配套标准（元），如 --per-capita 30.00。
        #[arg(long = "per-capita", value_name = "金额")]
        per_capita: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum StatementCommand {
    /// 导入对账单 CSV 或 xlsx（按 结算号+来源 逐行去重，重复导入无影响）。
    Import {
        /// 来源：tax 税务、treasury 国库、bank 银行，如 --source bank。
        #[arg(long, value_name = "来源")]
        source: String,
        /// 对账单文件，如 bank-2023-04.csv。
        #[arg(value_name = "文件")]
        file: PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum VoucherCommand {
    /// 从 TOML 或 JSON 文件添加凭证草稿。
    Add {
        /// 凭证文件，如 correction.toml。
        #[arg(value_name = "文件")]
        file: PathBuf,
    },
    /// 作废草稿凭证（保留并标为作废，凭证号不再使用），须说明理由。
    Void {
        /// 账簿，如 --book shayang/employee。
        #[arg(long, value_name = "账簿")]
        book: String,
        /// 凭证号，如 --number 记-2023-01-0005。
        #[arg(long, value_name = "凭证号")]
        number: String,
        /// 作废理由，如 --reason "重复录入"。
        #[arg(long, value_name = "理由")]
        reason: String,
    },
    /// 查看一张凭证及其经历（制单、审核、记账、作废、冲销）。
    Show {
        /// 账簿，如 --book shayang/employee。
        #[arg(long, value_name = "账簿")]
        book: String,
        /// 凭证号，如 --number 记-2023-01-0001。
        #[arg(long, value_name = "凭证号")]
        number: String,
    },
    /// 查询凭证：按凭证号、日期、科目、金额、摘要、制单人、状态。
    Find(FindArgs),
    /// 打印记账凭证（PDF，每页两张），如 voucher print --book city/employee --period 2023-01 --output 凭证.pdf。
    Print {
        /// 账簿，如 --book city/employee。
        #[arg(long, value_name = "账簿")]
        book: String,
        /// 月份 YYYY-MM，如 --period 2023-01。
        #[arg(long, value_name = "月份")]
        period: String,
        /// 只打印这些凭证号（可重复），如 --number 记-2023-01-0001。
        #[arg(long = "number", value_name = "凭证号")]
        numbers: Vec<String>,
        /// 写入此 PDF 文件（默认 凭证-账簿-月份.pdf），如 --output 凭证.pdf。
        #[arg(long, value_name = "文件")]
        output: Option<PathBuf>,
        /// 文件已存在时覆盖。
        #[arg(long)]
        force: bool,
    },
}

/// `voucher find`'s conditions; every one given must hold.
#[derive(Args, Debug)]
pub struct FindArgs {
    /// 账簿，如 --book shayang/employee。
    #[arg(long, value_name = "账簿")]
    pub book: String,
    /// 凭证号（可只写一部分），如 --number 2023-03-00。
    #[arg(long, value_name = "凭证号")]
    pub number: Option<String>,
    /// 起始日期 YYYY-MM-DD（含），如 --from 2023-03-01。
    #[arg(long, value_name = "日期")]
    pub from: Option<String>,
    /// 截止日期 YYYY-MM-DD（含），如 --to 2023-03-31。
    #[arg(long, value_name = "日期")]
    pub to: Option<String>,
    /// 分录中有此科目（含明细科目），如 --account 1003。
    #[arg(long, value_name = "科目")]
    pub account: Option<String>,
    /// 分录金额（元），恰好等于，或用 最小..最大 表示范围，如 --amount 1500.00 或 --amount 1000..5000。
    #[arg(long, value_name = "金额")]
    pub amount: Option<String>,
    /// 摘要中含有此文字，如 --text 住院。
    #[arg(long, value_name = "文字")]
    pub text: Option<String>,
    /// 制单人，如 --maker 张会计。
    #[arg(long, value_name = "姓名")]
    pub maker: Option<String>,
    /// 状态：草稿、已审核、已记账、作废（或 draft、reviewed、posted、void），如 --status 草稿。
    #[arg(long, value_name = "状态")]
    pub status: Option<String>,
}

/// Which vouchers a review or post applies to.
#[derive(Args, Debug)]
pub struct Selection {
    /// 账簿，如 --book shayang/employee。
    #[arg(long, value_name = "账簿")]
    pub book: Option<String>,
    /// 只限一个月份 YYYY-MM，如 --period 2023-01。
    #[arg(long, value_name = "月份")]
    pub period: Option<String>,
    /// 凭证号，可重复，如 --number 记-2023-01-0001。
    #[arg(long = "number", value_name = "凭证号")]
    pub numbers: Vec<String>,
    /// 账簿（和月份）中所有符合条件的凭证，而不是逐张指定。
    #[arg(long)]
    pub all: bool,
}

/// A book and a period range.
#[derive(Args, Debug)]
pub struct BookRange {
    /// 账簿（机构/基金），如 --book city/employee。
    #[arg(long, value_name = "账簿")]
    pub book: String,
    /// 一个月份 YYYY-MM（等于 --from 月份 --to 月份），如 --period 2023-01。
    #[arg(long, conflicts_with_all = ["from", "to"], value_name = "月份")]
    pub period: Option<String>,
    /// 起始月份 YYYY-MM，如 --from 2023-01。
    #[arg(long, value_name = "月份")]
    pub from: Option<String>,
    /// 截止月份 YYYY-MM，如 --to 2023-03。
    #[arg(long, value_name = "月份")]
    pub to: Option<String>,
}

/// Where a spreadsheet export goes (`--format xlsx`).
#[derive(Args, Debug)]
pub struct Export {
    /// 写入此文件（--format xlsx 时必须），如 --output 序时账.xlsx。
    #[arg(long, value_name = "文件")]
    pub output: Option<PathBuf>,
    /// --output 文件已存在时覆盖（绝不覆盖数据库）。
    #[arg(long)]
    pub force: bool,
}
