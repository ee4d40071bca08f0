//! Whether a table's first column reads as ordered time, which a line shows better than bars.

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const MONTH_NAMES: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const WEEKDAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const CHINESE_DIGITS: [char; 12] = [
    '一', '二', '三', '四', '五', '六', '七', '八', '九', '十', '日', '天',
];

/// True when there are at least three labels and every one is a period: a year, quarter,
/// half, month, week, weekday, day or date. Two periods read better as bars side by side.
pub fn is_ordered_time(labels: &[String]) -> bool {
    labels.len() >= 3 && labels.iter().all(|label| is_period(label))
}

fn is_period(label: &str) -> bool {
    let text: String = label
        .trim()
        .to_lowercase()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    if text.is_empty() {
        return false;
    }

    let (year, rest) = split_year(&text);
    if rest.is_empty() {
        return year;
    }
    let rest = rest.trim_start_matches(['-', '/', '.', '年']);

    is_quarter_or_half(rest)
        || is_month(rest)
        || is_week_or_day(rest)
        || (year && is_month_day(rest))
        || is_month_then_year(rest)
}

/// Splits a leading year (`2024`, `2024年`, `fy24`, `fy2024`) from the rest.
fn split_year(text: &str) -> (bool, &str) {
    let body = text.strip_prefix("fy").unwrap_or(text);
    let digits = body.chars().take_while(|c| c.is_ascii_digit()).count();
    let fiscal_short = body.len() != text.len() && digits == 2;
    let full_year = digits == 4 && matches!(&body[..2], "19" | "20");

    if full_year || fiscal_short {
        let rest = &body[digits..];
        return (true, rest.strip_prefix('年').unwrap_or(rest));
    }
    (false, text)
}

fn is_small_number(text: &str, max: u32) -> bool {
    text.parse::<u32>().is_ok_and(|n| (1..=max).contains(&n))
}

fn is_quarter_or_half(text: &str) -> bool {
    let text = text.trim_end_matches("季度").trim_end_matches('季');
    let quarter = text
        .strip_prefix('q')
        .is_some_and(|n| is_small_number(n, 4));
    let half = text
        .strip_prefix('h')
        .is_some_and(|n| is_small_number(n, 2));
    let chinese = text
        .trim_start_matches('第')
        .chars()
        .all(|c| ['一', '二', '三', '四', '1', '2', '3', '4'].contains(&c))
        && !text.is_empty()
        && text.chars().count() <= 2;
    let trailing_q = text
        .strip_suffix('q')
        .is_some_and(|n| is_small_number(n, 4));

    quarter || half || trailing_q || (chinese && text != "第")
}

fn is_month(text: &str) -> bool {
    let name =
        MONTHS.iter().any(|m| text == *m || text == format!("{m}.")) || MONTH_NAMES.contains(&text);
    let chinese = text.strip_suffix('月').is_some_and(|n| {
        is_small_number(n, 12)
            || (!n.is_empty() && n.chars().all(|c| CHINESE_DIGITS[..10].contains(&c)))
    });
    let numeric = text.len() <= 2 && is_small_number(text, 12);

    name || chinese || numeric
}

fn is_month_day(text: &str) -> bool {
    let text = text.trim_end_matches('日');
    let mut parts = text.split(['-', '/', '.', '月']);
    let month = parts.next().is_some_and(|m| is_small_number(m, 12));
    let day = parts.next().is_some_and(|d| is_small_number(d, 31));
    month && day && parts.next().is_none()
}

fn is_month_then_year(text: &str) -> bool {
    let letters: String = text.chars().take_while(|c| c.is_alphabetic()).collect();
    let rest = text[letters.len()..].trim_start_matches([',', '\'', '-', '/']);
    let year_after = rest.len() == 4 || rest.len() == 2;
    !letters.is_empty()
        && is_month(&letters)
        && year_after
        && rest.chars().all(|c| c.is_ascii_digit())
}

fn is_week_or_day(text: &str) -> bool {
    let numbered = ["week", "wk", "w", "day", "d", "sprint", "month"]
        .iter()
        .any(|p| {
            text.strip_prefix(p)
                .is_some_and(|n| is_small_number(n, 400))
        });
    let chinese_numbered = text
        .strip_prefix('第')
        .and_then(|t| t.strip_suffix(['周', '天', '月', '年']))
        .is_some_and(|n| is_small_number(n, 400));
    let weekday = WEEKDAYS
        .iter()
        .any(|d| text.starts_with(d) && text.len() <= 9);
    let chinese_weekday = ["周", "星期", "礼拜"].iter().any(|p| {
        text.strip_prefix(p).is_some_and(|d| {
            d.chars().count() == 1 && d.chars().all(|c| CHINESE_DIGITS.contains(&c))
        })
    });

    numbered || chinese_numbered || weekday || chinese_weekday
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn periods_read_as_time() {
        for set in [
            &["2021", "2022", "2023"][..],
            &["Q1", "Q2", "Q3", "Q4"],
            &["2023 Q1", "2023 Q2", "2023 Q3"],
            &["Jan", "Feb", "Mar", "Apr"],
            &["1月", "2月", "3月"],
            &["2024年1月", "2024年2月", "2024年3月"],
            &["2024-01", "2024-02", "2024-03"],
            &["2024-01-15", "2024-02-15", "2024-03-15"],
            &["第一季度", "第二季度", "第三季度"],
            &["Week 1", "Week 2", "Week 3"],
            &["Mon", "Tue", "Wed"],
            &["周一", "周二", "周三"],
            &["FY22", "FY23", "FY24"],
            &["Jan 2024", "Feb 2024", "Mar 2024"],
            &["H1", "H2", "2025H1"],
        ] {
            assert!(is_ordered_time(&labels(set)), "{set:?}");
        }
    }

    #[test]
    fn categories_are_not_time() {
        for set in [
            &["PostgreSQL", "MySQL", "SQLite"][..],
            &["北京", "上海", "广州"],
            &["2021", "2022"],
            &["v1", "v2", "v3"],
            &["Q1", "Q2", "Total"],
            &["Marketing", "Sales", "Dev"],
        ] {
            assert!(!is_ordered_time(&labels(set)), "{set:?}");
        }
    }
}
