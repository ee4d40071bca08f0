//! The font families the SVGs ask for, and the system font database PNGs are drawn with.

use std::sync::{Arc, OnceLock};

use resvg::usvg::fontdb;

/// The sans-serif stack every SVG of this crate names, as an SVG/CSS `font-family` value.
///
/// Simplified-Chinese faces come before the Latin-only fallbacks so that a viewer which
/// has them draws Han characters in their Chinese forms (a Japanese face would pick other
/// glyph variants), and every name is in single quotes so the value can sit inside a
/// double-quoted XML attribute as it is.
pub const SANS: &str = "Inter, 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', \
     'Hiragino Sans GB', 'Microsoft YaHei', 'WenQuanYi Micro Hei', 'Noto Sans', \
     'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";

/// Faces tried, in order, for a character the chosen face lacks, before any other face.
const CJK_FALLBACKS: [&str; 5] = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Serif CJK SC",
];

/// The system fonts, loaded once per process: scanning the font directories takes tens of
/// milliseconds, far more than drawing one picture.
pub(crate) fn database() -> Arc<fontdb::Database> {
    loaded().0.clone()
}

/// The family text without a `font-family` is drawn in: the installed default sans.
pub(crate) fn default_family() -> String {
    loaded().1.clone()
}

fn loaded() -> &'static (Arc<fontdb::Database>, String) {
    static DB: OnceLock<(Arc<fontdb::Database>, String)> = OnceLock::new();

    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_system_fonts();

        // usvg ends every family list with `serif`; pointing it at the sans default keeps
        // text visible on machines without Times New Roman, which is most servers.
        let sans = sans_default(&db);
        db.set_sans_serif_family(sans.clone());
        db.set_serif_family(sans.clone());
        (Arc::new(db), sans)
    })
}

/// Whether a face that draws Chinese is installed; PNGs of Chinese text show boxes without.
pub fn has_cjk_font() -> bool {
    let db = database();
    db.faces().any(|face| has_char(&db, face.id, '中'))
}

/// The family `sans-serif` resolves to: the first of the stack that is installed.
fn sans_default(db: &fontdb::Database) -> String {
    let installed = |name: &str| {
        db.faces()
            .any(|face| face.families.iter().any(|(family, _)| family == name))
    };

    [
        "DejaVu Sans",
        "Liberation Sans",
        "Noto Sans",
        "Noto Sans CJK SC",
    ]
    .into_iter()
    .find(|name| installed(name))
    .unwrap_or("DejaVu Sans")
    .to_string()
}

/// Picks the face for a character the first-choice face lacks.
///
/// usvg's default takes the first face in the database that has the character, which for
/// Han characters is often the Japanese member of a CJK collection; this one asks the
/// Simplified-Chinese faces first and only then scans the rest.
pub(crate) fn fallback_selector() -> resvg::usvg::FallbackSelectionFn<'static> {
    Box::new(|c, used, db| {
        let unused_with_char = |id: fontdb::ID| !used.contains(&id) && has_char(db, id, c);

        let preferred = CJK_FALLBACKS.iter().find_map(|name| {
            db.faces()
                .filter(|face| face.families.iter().any(|(family, _)| family == name))
                .map(|face| face.id)
                .find(|id| unused_with_char(*id))
        });
        if preferred.is_some() {
            return preferred;
        }

        db.faces()
            .map(|face| face.id)
            .find(|id| unused_with_char(*id))
    })
}

/// Whether a face maps a character to a glyph.
fn has_char(db: &fontdb::Database, id: fontdb::ID, c: char) -> bool {
    db.with_face_data(id, |data, index| {
        ttf_parser::Face::parse(data, index)
            .ok()
            .and_then(|face| face.glyph_index(c))
            .is_some()
    })
    .unwrap_or(false)
}
