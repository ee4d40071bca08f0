//! Pexels photo search: find, download the large rendition, credit the photographer and
//! Pexels.

use illustrator_analysis::Placement;
use serde::Deserialize;

use crate::error::SourceError;
use crate::picture::{Attribution, Fetched, pick_result};
use crate::providers::Call;
use crate::shape::{Shape, query};

const PER_PAGE: usize = 10;

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

    let photo = pick_result(call.provider, search.photos, placement.index)?;

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
    let request_id = request_id.or(Some(photo.id.to_string()));
    Ok(Fetched::stock(
        call.provider,
        image,
        request_id,
        attribution,
    ))
}
