//! Why an offline picture could not be drawn.

/// What was wrong with the input of an offline source, or with the drawing itself.
///
/// Every variant but [`RenderError::Png`] and [`RenderError::InvalidSvg`] is the caller's
/// input: retrying the same placement will fail the same way, so a worker gives up on it
/// (or falls back to the next source) instead of redelivering.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RenderError {
    /// The Mermaid code does not parse; the message is the parser's, with line and column.
    #[error("the Mermaid code does not parse: {0}")]
    BadMermaid(String),

    /// The diagram parsed but the renderer gave up while laying it out.
    #[error("the Mermaid diagram could not be laid out: {0}")]
    LayoutFailed(String),

    /// The Mermaid code is empty or only whitespace and comments.
    #[error("the Mermaid code is empty")]
    EmptyMermaid,

    /// The table has no column whose cells read as numbers, so there is nothing to plot.
    #[error("the table has no numeric column to chart")]
    NoNumericColumn,

    /// The table has a header but no data row.
    #[error("the table has no data rows")]
    EmptyTable,

    /// The placement asks an offline source for something it cannot draw from what it carries.
    #[error("a {what} picture needs {missing}")]
    MissingInput {
        what: &'static str,
        missing: &'static str,
    },

    /// The source is not one of the offline ones (mermaid, chart, card).
    #[error("{0} is not an offline source")]
    NotOffline(&'static str),

    /// The SVG could not be read back; for SVG this crate drew itself, that is a bug here.
    #[error("the SVG is not valid: {0}")]
    InvalidSvg(String),

    /// Rasterising failed (zero or oversized canvas, or PNG encoding).
    #[error("the picture could not be rasterised: {0}")]
    Png(String),
}
