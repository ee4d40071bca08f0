//! The articles the load is made of: a title and five `## ` sections of two paragraphs each,
//! varied by a number so that no two submissions are the same bytes.

/// Topics the sections cycle through; the planner sees ordinary, non-technical prose.
const TOPICS: [&str; 8] = [
    "the harbour at dawn",
    "a market in the old town",
    "the mountain road",
    "an orchard after rain",
    "the night train",
    "a lighthouse keeper",
    "the river festival",
    "a bakery before opening",
];

/// A five-section article, different for every `n`.
pub fn five_sections(n: u64) -> String {
    let mut text = format!("# Travel notes, volume {n}\n\n");

    for section in 0..5u64 {
        let topic = TOPICS[((n + section) % TOPICS.len() as u64) as usize];
        text.push_str(&format!("## Day {}: {topic}\n\n", section + 1));
        text.push_str(&format!(
            "We arrived at {topic} in the early hours of day {day} of trip {n}. The light was \
             soft and the streets were quiet, so we walked slowly, talked to the people we \
             met, and wrote down what we saw before the crowds came.\n\nA woman selling bread \
             told us how the place had changed since she was a child, when the boats still \
             came in every morning and the whole town woke up to the sound of their engines. \
             We stayed until noon, ate by the water, and promised ourselves to come back in \
             another season, when the days are longer and the evenings warm.\n\n",
            day = section + 1,
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use illustrator_analysis::{PlanOptions, plan};

    #[test]
    fn an_article_has_a_title_and_five_sections() {
        let text = five_sections(7);

        assert_eq!(text.lines().filter(|l| l.starts_with("# ")).count(), 1);
        assert_eq!(text.lines().filter(|l| l.starts_with("## ")).count(), 5);
    }

    #[test]
    fn articles_differ_by_number() {
        assert_ne!(five_sections(1), five_sections(2));
    }

    #[test]
    fn the_default_plan_gives_about_five_pictures() {
        let planned = plan(five_sections(3).as_bytes(), &PlanOptions::default())
            .map(|p| p.placements.len())
            .unwrap_or(0);

        assert!((4..=6).contains(&planned), "planned {planned} pictures");
    }
}
