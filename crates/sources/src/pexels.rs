//! Pexels photo search: find, download the large rendition, credit the photographer and
//! Pexels.

use illustrator_analysis::Placement;
use serde::Deserialize;

use crate::error::SourceError;
use crate::picture::{Attribution, Fetched};
use crate::providers::Call;
use crate::shape::{Shape, query};

const PER_PAGE: usize = 10;
const PICK_FROM: usize = 5;

#[derive(Deserialize)]
struct Search {
    photos: Vec<Photo>,
}

#[derive(Deserialize)]
struct Photo {
    id: u64,
    /// The photo's page on pexels.com.
    url: String,
    photographer: String,
    photographer_url: String,
    src: Renditions,
}

#[derive(Deserialize)]
struct Renditions {
    large: String,
}

pub(crate) async fn fetch(
    call: &Call<'_>,
    prompt: &str,
    placement: &Placement,
) -> Result<Fetched, SourceError> {
    let orientation = match Shape::of(placement) {
        Shape::Wide => "landscape",
        Shape::Square => "square",
    };
    let client = &call.inner.http.client;
    let url = format!("{}/search", call.base);
    let params = [
        ("query", query(prompt, 100)),
        ("per_page", PER_PAGE.to_string()),
        ("orientation", orientation.to_string()),
    ];
    let build = || {
        client
            .get(&url)
            .query(&params)
            .header("Authorization", call.key)
    };

    let resp = call
        .inner
        .http
        .send(call.provider, true, call.timeout(), build)
        .await?;
    let (search, request_id): (Search, _) =
        crate::http::json(call.provider, resp, call.json_limit()).await?;

    let pick = (placement.index as usize) % search.photos.len().clamp(1, PICK_FROM);
    let photo = search
        .photos
        .into_iter()
        .nth(pick)
        .ok_or(SourceError::NothingFound {
            provider: call.provider,
        })?;

    let image = call
        .inner
        .downloader
        .fetch(call.provider, &photo.src.large)
        .await?;

    let attribution = Attribution {
        text: format!("Photo by {} on Pexels", photo.photographer),
        author: photo.photographer,
        author_url: photo.photographer_url,
        source_url: photo.url,
    };
    Ok(Fetched {
        bytes: image.bytes,
        content_type: image.content_type,
        width: image.width,
        height: image.height,
        provider: call.provider.to_string(),
        model: None,
        request_id: request_id.or(Some(photo.id.to_string())),
        attribution: Some(attribution),
        price_milli_fen: 0,
    })
}
