//! Which source draws each placement, and what to try when it fails for good.

use crate::model::{PlacementType, Source, SourceRequest};

/// The source `auto` (or the writer's explicit choice) gives a placement.
///
/// `auto`: cover -> the first AI source in `available`, else card; sections of a
/// technical article and diagrams -> mermaid; charts -> chart; code concepts and concepts
/// -> AI when available, else card; other sections and atmospheric pictures -> stock
/// photo (unsplash before pexels) when available, else card. An explicit `chart` can only
/// draw a table, so placements without one get a card.
pub(crate) fn choose(
    request: SourceRequest,
    kind: PlacementType,
    technical: bool,
    has_table: bool,
    available: &[Source],
) -> Source {
    if let SourceRequest::Explicit(source) = request {
        return if source == Source::Chart && !has_table {
            Source::Card
        } else {
            source
        };
    }

    let ai = available.iter().copied().find(|s| s.is_ai());
    let stock = [Source::Unsplash, Source::Pexels]
        .into_iter()
        .find(|s| available.contains(s));

    match kind {
        PlacementType::Chart => Source::Chart,
        PlacementType::Diagram => Source::Mermaid,
        PlacementType::Section if technical => Source::Mermaid,
        PlacementType::Cover | PlacementType::Concept | PlacementType::CodeConcept => {
            ai.unwrap_or(Source::Card)
        }
        PlacementType::Section | PlacementType::Atmospheric => stock.or(ai).unwrap_or(Source::Card),
    }
}

/// The sources after `source` in the chain unsplash -> pexels -> available AI -> card,
/// keeping only available ones; mermaid and chart fall back to card; card is last.
pub(crate) fn fallbacks(source: Source, available: &[Source]) -> Vec<Source> {
    let mut chain: Vec<Source> = [Source::Unsplash, Source::Pexels]
        .into_iter()
        .filter(|s| available.contains(s))
        .collect();
    for &s in available {
        if s.is_ai() && !chain.contains(&s) {
            chain.push(s);
        }
    }

    let mut out: Vec<Source> = match source {
        Source::Card => return Vec::new(),
        Source::Mermaid | Source::Chart => Vec::new(),
        s => match chain.iter().position(|c| *c == s) {
            Some(i) => chain[i + 1..].to_vec(),
            None if s.is_stock() => chain,
            None => chain.into_iter().filter(|c| c.is_ai()).collect(),
        },
    };

    out.push(Source::Card);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use PlacementType as T;
    use Source as S;

    const AUTO: SourceRequest = SourceRequest::Auto;

    #[test]
    fn auto_picks_by_kind_and_keys() {
        assert_eq!(choose(AUTO, T::Cover, false, false, &[]), S::Card);
        assert_eq!(
            choose(AUTO, T::Cover, false, false, &[S::Unsplash, S::Flux]),
            S::Flux
        );
        assert_eq!(
            choose(AUTO, T::Section, true, false, &[S::Unsplash]),
            S::Mermaid
        );
        assert_eq!(
            choose(AUTO, T::Section, false, false, &[S::Pexels]),
            S::Pexels
        );
        assert_eq!(choose(AUTO, T::Section, false, false, &[]), S::Card);
        assert_eq!(choose(AUTO, T::Chart, false, true, &[]), S::Chart);
        assert_eq!(
            choose(AUTO, T::Diagram, true, false, &[S::Dalle]),
            S::Mermaid
        );
    }

    #[test]
    fn explicit_chart_without_table_is_a_card() {
        let chart = SourceRequest::Explicit(S::Chart);
        assert_eq!(choose(chart, T::Section, false, false, &[]), S::Card);
        assert_eq!(choose(chart, T::Chart, false, true, &[]), S::Chart);
    }

    #[test]
    fn fallback_chain_ends_with_card() {
        let all = [S::Unsplash, S::Pexels, S::Doubao, S::Zhipu];
        assert_eq!(
            fallbacks(S::Unsplash, &all),
            vec![S::Pexels, S::Doubao, S::Zhipu, S::Card]
        );
        assert_eq!(
            fallbacks(S::Pexels, &all),
            vec![S::Doubao, S::Zhipu, S::Card]
        );
        assert_eq!(fallbacks(S::Doubao, &all), vec![S::Zhipu, S::Card]);
        assert_eq!(fallbacks(S::Mermaid, &all), vec![S::Card]);
        assert_eq!(fallbacks(S::Chart, &[]), vec![S::Card]);
        assert_eq!(fallbacks(S::Card, &all), Vec::<S>::new());
        assert_eq!(fallbacks(S::Unsplash, &[]), vec![S::Card]);
    }
}
