//! Colour palettes, chosen deterministically from a seed text.

/// The colours one picture is drawn in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Palette {
    /// Deep background of covers, start of their gradient.
    pub deep: &'static str,
    /// End of the cover gradient.
    pub deep_end: &'static str,
    /// Bright accent: rules, markers, the first chart series.
    pub accent: &'static str,
    /// Pale tint used as the background of section cards.
    pub tint: &'static str,
    /// Dark text on the tint.
    pub ink: &'static str,
}

/// Hand-picked palettes rather than hues computed from the hash: a computed hue lands on
/// muddy yellow-greens as often as on good colours, and every one of these keeps white
/// text on `deep` and `ink` text on `tint` above 7:1 contrast.
const PALETTES: [Palette; 8] = [
    Palette {
        deep: "#0F2A4A",
        deep_end: "#1E4E8C",
        accent: "#4C9AFF",
        tint: "#EEF4FC",
        ink: "#0F2A4A",
    },
    Palette {
        deep: "#0B3B3C",
        deep_end: "#12706B",
        accent: "#2EC4B6",
        tint: "#EAF7F5",
        ink: "#0B3B3C",
    },
    Palette {
        deep: "#2A1B4D",
        deep_end: "#4B2E83",
        accent: "#9D7BFF",
        tint: "#F2EEFB",
        ink: "#2A1B4D",
    },
    Palette {
        deep: "#4A1022",
        deep_end: "#8A1C3A",
        accent: "#FF6B8B",
        tint: "#FCEFF2",
        ink: "#4A1022",
    },
    Palette {
        deep: "#15361F",
        deep_end: "#2D6A3E",
        accent: "#5CCB7A",
        tint: "#EDF7EF",
        ink: "#15361F",
    },
    Palette {
        deep: "#3D2409",
        deep_end: "#7A4A12",
        accent: "#F2A93B",
        tint: "#FBF3E6",
        ink: "#3D2409",
    },
    Palette {
        deep: "#1C2530",
        deep_end: "#37475A",
        accent: "#7FB3D5",
        tint: "#EFF2F5",
        ink: "#1C2530",
    },
    Palette {
        deep: "#3A1340",
        deep_end: "#6E2A78",
        accent: "#E07BE0",
        tint: "#F8EEF8",
        ink: "#3A1340",
    },
];

/// Series colours for charts: distinct hues that stay apart for colour-blind readers
/// (after Okabe and Ito), darkened enough to read on white.
pub const SERIES: [&str; 8] = [
    "#2F6FDB", "#E08A00", "#149E74", "#C9508E", "#5AA9E6", "#B8A000", "#C0392B", "#6C5CE7",
];

/// The palette for a seed: the same seed always gives the same palette, on every machine
/// and every release (FNV-1a, not std's hasher, whose output may change).
pub fn for_seed(seed: &str) -> Palette {
    let index = (fnv1a(seed.trim().as_bytes()) % PALETTES.len() as u64) as usize;
    PALETTES[index]
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_always_gives_the_same_palette() {
        assert_eq!(for_seed("事件溯源入门"), for_seed("事件溯源入门"));
        assert_eq!(for_seed(" Title "), for_seed("Title"));
    }

    #[test]
    fn different_seeds_use_several_palettes() {
        let seeds = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"];
        let distinct: std::collections::HashSet<_> =
            seeds.iter().map(|s| for_seed(s).deep).collect();

        assert!(distinct.len() >= 4, "only {} palettes used", distinct.len());
    }
}
