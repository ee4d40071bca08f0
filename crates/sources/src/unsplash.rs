//! Unsplash photo search: find, download, credit the photographer, and report the use
//! through the photo's download-tracking link as the API guidelines ask.

use illustrator_analysis::Placement;
use reqwest::Url;
use serde::Deserialize;

use crate::error::SourceError;
use crate::picture::{Attribution, Fetched, pick_result};
use crate::providers::Call;
use crate::shape::{Shape, query};

/// The results looked at; placements with similar prompts take different ones of them.
const PER_PAGE: usize = 10;

#[derive(Deserialize)]
struct Search {
    results: Vec<Photo>,
}

#[derive(Deserialize)]
struct Photo {
    id: String,
    urls: PhotoUrls,
    links: PhotoLinks,
    user: User,
}

#[derive(Deserialize)]
struct PhotoUrls {
    regular: String,
}

#[derive(Deserialize)]
struct PhotoLinks {
    html: String,
    download_location: String,
}

#[derive(Deserialize)]
struct User {
    name: String,
    links: UserLinks,
}

#[derive(Deserialize)]
struct UserLinks {
    html: String,
}

pub(crate) async fn fetch(
    call: &Call<'_>,
    prompt: &str,
    placement: &Placement,
) -> Result<Fetched, SourceError> {
    let orientation = match Shape::of(placement) {
        Shape::Wide => "landscape",
        Shape::Square => "squarish",
    };
    let client = &call.inner.http.client;
    let url = format!("{}/search/photos", call.base);
    let params = [
        ("query", query(prompt, 100)),
        ("per_page", PER_PAGE.to_string()),
        ("orientation", orientation.to_string()),
        ("content_filter", "high".to_string()),
    ];
    let auth = format!("Client-ID {}", call.key);
    let build = || {
        client
            .get(&url)
            .query(&params)
            .header("Authorization", &auth)
            .header("Accept-Version", "v1")
    };

    let resp = call
        .inner
        .http
        .send(call.provider, true, call.timeout(), build)
        .await?;
    let (search, request_id): (Search, _) =
        crate::http::json(call.provider, resp, call.json_limit()).await?;

    let photo = pick_result(call.provider, search.results, placement.index)?;

    let image = call
        .inner
        .downloader
        .fetch(call.provider, &photo.urls.regular)
        .await?;
    track_download(call, &photo.links.download_location, &auth).await;

    let app = &call.inner.config.unsplash_app_name;
    let author_url = with_utm(&photo.user.links.html, app);
    let attribution = Attribution {
        text: format!("Photo by {} on Unsplash", photo.user.name),
        author: photo.user.name,
        author_url,
        source_url: with_utm(&photo.links.html, app),
    };
    Ok(Fetched::stock(
        call.provider,
        image,
        request_id.or(Some(photo.id)),
        attribution,
    ))
}

/// Tells Unsplash the photo was used. The key goes only to the configured API host, so a
/// tracking link elsewhere is skipped. A failure here does not undo the picture: it is
/// logged, and the photo stays in the article.
async fn track_download(call: &Call<'_>, location: &str, auth: &str) {
    let same_host = match (Url::parse(location), Url::parse(call.base)) {
        (Ok(link), Ok(base)) => {
            link.host_str() == base.host_str()
                && link.port_or_known_default() == base.port_or_known_default()
        }
        _ => false,
    };
    if !same_host {
        tracing::warn!(
            provider = call.provider,
            "download tracking link is not on the API host"
        );
        return;
    }

    let client = &call.inner.http.client;
    let build = || client.get(location).header("Authorization", auth);
    let sent = call
        .inner
        .http
        .send(call.provider, true, call.timeout(), build)
        .await;
    match sent {
        Ok(resp) if resp.status().is_success() => {}
        Ok(resp) => {
            let status = resp.status().as_u16();
            tracing::warn!(
                provider = call.provider,
                status,
                "download tracking refused"
            );
        }
        Err(error) => {
            tracing::warn!(provider = call.provider, error = %error, "download tracking failed");
        }
    }
}

/// `link` with the referral parameters Unsplash asks every credit link to carry.
fn with_utm(link: &str, app: &str) -> String {
    let Ok(mut url) = Url::parse(link) else {
        return link.to_string();
    };
    url.query_pairs_mut()
        .append_pair("utm_source", app)
        .append_pair("utm_medium", "referral");
    url.to_string()
}
