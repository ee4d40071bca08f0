//! Plans and the price list: data, with the product's first price list as the seed.

use chrono::{DateTime, TimeZone, Utc};
use illustrator_analysis::Source;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::money::MilliFen;

/// What a subscriber pays a month and may use a day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Plan {
    pub id: String,
    pub name: String,
    pub monthly_price_fen: i64,
    /// Pictures a day; `None` is unlimited.
    pub daily_limit: Option<u32>,
    /// What the pictures of one month may cost at most; `None` is unlimited. The seed plans
    /// set it to the monthly price: the subscription prepays the paid pictures.
    pub monthly_budget: Option<MilliFen>,
    pub sources: Vec<Source>,
    /// Whether API keys may be used (pro and enterprise in the seed).
    pub api_access: bool,
}

impl Plan {
    pub fn allows(&self, source: Source) -> bool {
        self.sources.contains(&source)
    }

    pub fn unlimited(&self) -> bool {
        self.daily_limit.is_none() && self.monthly_budget.is_none()
    }
}

/// The price of one picture of one source from a moment on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Price {
    pub source: Source,
    pub effective_from: DateTime<Utc>,
    pub unit: MilliFen,
}

/// Every plan and every price ever in effect.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Catalogue {
    pub plans: Vec<Plan>,
    pub prices: Vec<Price>,
}

/// The plan an account has until it subscribes to another.
pub const DEFAULT_PLAN: &str = "free";

impl Catalogue {
    /// The product's first price list.
    pub fn seed() -> Catalogue {
        use Source as S;

        let offline = [S::Mermaid, S::Chart, S::Card];
        let plan =
            |id: &str, name: &str, fen: i64, daily: Option<u32>, sources: Vec<Source>| Plan {
                id: id.to_owned(),
                name: name.to_owned(),
                monthly_price_fen: fen,
                daily_limit: daily,
                monthly_budget: daily.map(|_| MilliFen::from_fen(fen)),
                sources,
                api_access: fen >= 9900,
            };
        let with = |extra: &[Source]| offline.iter().chain(extra).copied().collect::<Vec<_>>();

        let plans = vec![
            plan("free", "Free", 0, Some(20), with(&[S::Unsplash])),
            plan(
                "basic",
                "Basic",
                2900,
                Some(100),
                with(&[S::Unsplash, S::Pexels, S::Doubao]),
            ),
            plan("pro", "Pro", 9900, Some(500), Source::ALL.to_vec()),
            plan(
                "enterprise",
                "Enterprise",
                49900,
                None,
                Source::ALL.to_vec(),
            ),
        ];

        let start = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        let price = |source, unit| Price {
            source,
            effective_from: start,
            unit: MilliFen(unit),
        };
        let prices = vec![
            price(S::Mermaid, 0),
            price(S::Chart, 0),
            price(S::Card, 0),
            price(S::Unsplash, 0),
            price(S::Pexels, 0),
            price(S::Doubao, 500),
            price(S::Flux, 1_000),
            price(S::Zhipu, 6_000),
            price(S::Dalle, 40_000),
        ];

        Catalogue { plans, prices }
    }

    pub fn plan(&self, id: &str) -> Option<&Plan> {
        self.plans.iter().find(|plan| plan.id == id)
    }

    /// The price in effect at `at`: the latest entry that started at or before it. A
    /// source without any price is free.
    pub fn price(&self, source: Source, at: DateTime<Utc>) -> MilliFen {
        self.prices
            .iter()
            .filter(|p| p.source == source && p.effective_from <= at)
            .max_by_key(|p| p.effective_from)
            .map_or(MilliFen::ZERO, |p| p.unit)
    }

    /// The most any source of a chain may cost: what a picture reserves against a budget,
    /// since a fallback may draw it with a dearer source than the first.
    pub fn dearest(&self, chain: &[Source], at: DateTime<Utc>) -> MilliFen {
        chain
            .iter()
            .map(|&source| self.price(source, at))
            .max()
            .unwrap_or(MilliFen::ZERO)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use illustrator_analysis::Source;

    use super::{Catalogue, Price};
    use crate::money::MilliFen;

    #[test]
    fn the_seed_has_the_four_plans_and_prices_in_milli_fen() {
        let catalogue = Catalogue::seed();
        let at = Utc
            .with_ymd_and_hms(2026, 12, 4, 0, 0, 0)
            .single()
            .expect("test step");

        let ids: Vec<_> = catalogue.plans.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["free", "basic", "pro", "enterprise"]);
        assert_eq!(catalogue.price(Source::Doubao, at), MilliFen(500));
        assert_eq!(catalogue.price(Source::Dalle, at), MilliFen(40_000));
        assert!(
            !catalogue
                .plan("free")
                .expect("test step")
                .allows(Source::Dalle)
        );
        assert!(catalogue.plan("enterprise").expect("test step").unlimited());
    }

    #[test]
    fn a_later_price_applies_from_its_date_on() {
        let mut catalogue = Catalogue::seed();
        let change = Utc
            .with_ymd_and_hms(2027, 1, 1, 0, 0, 0)
            .single()
            .expect("test step");
        catalogue.prices.push(Price {
            source: Source::Flux,
            effective_from: change,
            unit: MilliFen(800),
        });

        let before = change - chrono::Duration::seconds(1);
        assert_eq!(catalogue.price(Source::Flux, before), MilliFen(1_000));
        assert_eq!(catalogue.price(Source::Flux, change), MilliFen(800));
    }
}
