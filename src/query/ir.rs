//! The query IR: text expressions and conditions over a record's fields and the normalised event
//! columns, rendered into each engine's language by [`super::dialect`].
//!
//! Every value is text and never NULL once read (a missing field is the empty string), so "first
//! non-empty" and "is empty" mean the same on every engine.

/// A text-valued expression.
#[derive(Clone, Debug)]
pub enum Expr {
    /// A field of the source record, named by its path in the vendor's JSON record
    /// (`protoPayload.authenticationInfo.principalEmail`); each schema maps it to a column or a
    /// JSON extraction, or to the empty string when the platform does not keep it.
    Field(String),
    /// A column of the normalised events relation (`principal`, `cloud` …).
    Col(&'static str),
    /// A literal.
    Lit(String),
    /// The first value that is not empty (the last one when all are).
    First(Vec<Expr>),
    /// Lower case.
    Lower(Box<Expr>),
    /// Concatenation.
    Concat(Vec<Expr>),
    /// Group 1 of a regular expression's first match, or the empty string (RE2 / Java syntax,
    /// without backslashes, so the pattern reads the same in every dialect).
    Extract(Box<Expr>, &'static str),
    /// The text before the first occurrence of a needle, or all of it when absent.
    Before(Box<Expr>, &'static str),
    /// A choice.
    If(Box<Cond>, Box<Expr>, Box<Expr>),
}

/// A condition.
#[derive(Clone, Debug)]
pub enum Cond {
    /// Exact equality with a literal.
    Eq(Expr, &'static str),
    /// Equality ignoring ASCII case (the literal is given in lower case).
    IEq(Expr, &'static str),
    /// Starts with a literal (case-sensitive).
    Starts(Expr, &'static str),
    /// Ends with a literal (case-sensitive).
    Ends(Expr, &'static str),
    /// Holds a literal (case-sensitive).
    Contains(Expr, &'static str),
    /// Not the empty string.
    NonEmpty(Expr),
    /// Every condition.
    All(Vec<Cond>),
    /// Any condition.
    Any(Vec<Cond>),
    /// The negation.
    Not(Box<Cond>),
}

/// Shorthands that keep definitions readable.
pub fn field(path: &str) -> Expr {
    Expr::Field(path.to_string())
}

/// A normalised column.
pub fn col(name: &'static str) -> Expr {
    Expr::Col(name)
}

/// A literal.
pub fn lit(s: &str) -> Expr {
    Expr::Lit(s.to_string())
}

/// First non-empty of fields.
pub fn first(fields: &[&'static str]) -> Expr {
    Expr::First(fields.iter().map(|f| field(f)).collect())
}

/// `if c { a } else { b }`.
pub fn iff(c: Cond, a: Expr, b: Expr) -> Expr {
    Expr::If(Box::new(c), Box::new(a), Box::new(b))
}

/// Lower case.
pub fn lower(e: Expr) -> Expr {
    Expr::Lower(Box::new(e))
}

/// The comparison form of a value: case-folded for Azure, exact elsewhere (the local
/// `EventStore::key_of`).
pub fn fold(e: Expr) -> Expr {
    iff(Cond::Eq(col("cloud"), "azure"), lower(e.clone()), e)
}
