//! The finance export of one month, read from the usage read model. Its rows depend only on
//! the events, so a closed month gives the same bytes before and after a rebuild.

use illustrator_billing::{BillRow, MilliFen, render_csv};
use sqlx::PgPool;

type UsageRow = (String, String, String, i64, i64, i64);
type CorrectionRow = (String, String, String, i64, i64, String);

/// The month's CSV: a line per user, plan, source and unit price, and one per correction.
pub async fn month_csv(db: &PgPool, month: &str) -> Result<String, sqlx::Error> {
    let usage: Vec<UsageRow> = sqlx::query_as(
        "SELECT user_id, plan, source, count(*)::BIGINT, unit_milli_fen, \
         sum(unit_milli_fen)::BIGINT FROM usage_pictures WHERE month = $1 \
         GROUP BY user_id, plan, source, unit_milli_fen",
    )
    .bind(month)
    .fetch_all(db)
    .await?;
    let corrections: Vec<CorrectionRow> = sqlx::query_as(
        "SELECT user_id, plan, source, pictures, amount_milli_fen, reason \
         FROM usage_corrections WHERE month = $1",
    )
    .bind(month)
    .fetch_all(db)
    .await?;

    let mut rows = Vec::with_capacity(usage.len() + corrections.len());
    for (user_id, plan, source, count, unit, amount) in usage {
        rows.push(BillRow {
            user_id,
            plan,
            source,
            kind: "usage".into(),
            count,
            unit: Some(MilliFen(unit)),
            amount: MilliFen(amount),
            reason: String::new(),
        });
    }
    for (user_id, plan, source, count, amount, reason) in corrections {
        rows.push(BillRow {
            user_id,
            plan,
            source,
            kind: "correction".into(),
            count,
            unit: None,
            amount: MilliFen(amount),
            reason,
        });
    }

    Ok(render_csv(month, &rows))
}
