//! A fetched picture and its credit, and how its bytes are obtained and checked.

use std::time::Duration;

use base64::Engine;
use reqwest::{StatusCode, Url};

use crate::error::SourceError;
use crate::guard::AddressGuard;
use crate::http::{Http, read_limited};

/// A picture an online source delivered, with what billing and the article need.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    pub bytes: Vec<u8>,
    /// The MIME type read from the bytes' own header, e.g. `image/png`.
    pub content_type: String,
    pub width: u32,
    pub height: u32,
    /// The source's name, as [`illustrator_analysis::Source::as_str`] spells it.
    pub provider: String,
    /// The model that drew it; `None` for stock photos.
    pub model: Option<String>,
    /// The provider's id of the request or result, for support and reconciliation.
    pub request_id: Option<String>,
    /// The credit a stock photo's licence asks for; `None` for generated pictures.
    pub attribution: Option<Attribution>,
    /// The seed price of one picture from this source, in thousandths of a fen.
    pub price_milli_fen: i64,
}

/// The credit line a stock photo needs next to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attribution {
    pub author: String,
    pub author_url: String,
    /// The photo's page on the stock site.
    pub source_url: String,
    /// Ready to print, e.g. "Photo by Jane Doe on Unsplash".
    pub text: String,
}

/// Checked image bytes: a known format with a readable size.
#[derive(Clone, Debug)]
pub(crate) struct Image {
    pub(crate) bytes: Vec<u8>,
    pub(crate) content_type: String,
    pub(crate) width: u32,
    pub(crate) height: u32,
}

impl Image {
    /// Accepts `bytes` only when their header is an image format whose size can be read.
    pub(crate) fn from_bytes(provider: &'static str, bytes: Vec<u8>) -> Result<Image, SourceError> {
        let not_image = || SourceError::download(provider, "the body is not a recognised image");
        let kind = imagesize::image_type(&bytes).map_err(|_| not_image())?;
        let size = imagesize::blob_size(&bytes).map_err(|_| not_image())?;

        let content_type = match kind {
            imagesize::ImageType::Png => "image/png",
            imagesize::ImageType::Jpeg => "image/jpeg",
            imagesize::ImageType::Webp => "image/webp",
            imagesize::ImageType::Gif => "image/gif",
            imagesize::ImageType::Bmp => "image/bmp",
            imagesize::ImageType::Tiff => "image/tiff",
            imagesize::ImageType::Heif(_) => "image/heif",
            _ => return Err(not_image()),
        };
        Ok(Image {
            bytes,
            content_type: content_type.to_string(),
            width: u32::try_from(size.width).map_err(|_| not_image())?,
            height: u32::try_from(size.height).map_err(|_| not_image())?,
        })
    }

    /// Decodes a `b64_json` result, refusing one whose decoded size passes `limit`.
    pub(crate) fn from_base64(
        provider: &'static str,
        encoded: &str,
        limit: usize,
    ) -> Result<Image, SourceError> {
        if encoded.len() / 4 * 3 > limit {
            let reason = format!("image larger than {limit} bytes");
            return Err(SourceError::download(provider, reason));
        }

        let bytes = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .map_err(|e| SourceError::protocol(provider, format!("bad base64 image: {e}")))?;
        Image::from_bytes(provider, bytes)
    }
}

/// How many of a stock search's first results the placements take turns over, so that
/// the pictures of one article differ while staying among the best matches.
const PICK_FROM: usize = 5;

/// The search result for this placement, or `NothingFound` when the search found none.
pub(crate) fn pick_result<T>(
    provider: &'static str,
    results: Vec<T>,
    placement_index: u32,
) -> Result<T, SourceError> {
    let pick = (placement_index as usize) % results.len().clamp(1, PICK_FROM);
    results
        .into_iter()
        .nth(pick)
        .ok_or(SourceError::NothingFound { provider })
}

impl Fetched {
    /// A downloaded stock photo with the credit its licence asks for; stock photos are free.
    pub(crate) fn stock(
        provider: &'static str,
        image: Image,
        request_id: Option<String>,
        attribution: Attribution,
    ) -> Fetched {
        Fetched {
            bytes: image.bytes,
            content_type: image.content_type,
            width: image.width,
            height: image.height,
            provider: provider.to_string(),
            model: None,
            request_id,
            attribution: Some(attribution),
            price_milli_fen: 0,
        }
    }
}

/// Where and how pictures are downloaded.
#[derive(Clone, Debug)]
pub(crate) struct Downloader {
    pub(crate) http: Http,
    pub(crate) guard: AddressGuard,
    pub(crate) timeout: Duration,
    pub(crate) limit: usize,
}

impl Downloader {
    /// Downloads the picture at `url` at once (provider URLs expire): the address is
    /// checked first, the body is bounded, and it must be an image by header and by bytes.
    pub(crate) async fn fetch(
        &self,
        provider: &'static str,
        url: &str,
    ) -> Result<Image, SourceError> {
        let parsed = Url::parse(url)
            .map_err(|e| SourceError::download(provider, format!("bad picture URL: {e}")))?;
        self.guard.check(&parsed).await?;

        let client = &self.http.client;
        let build = || client.get(parsed.clone());
        let resp = self.http.send(provider, true, self.timeout, build).await?;

        let status = resp.status();
        let gone = [
            StatusCode::FORBIDDEN,
            StatusCode::NOT_FOUND,
            StatusCode::GONE,
        ];
        if gone.contains(&status) {
            let reason = format!("the picture URL has expired or is missing (status {status})");
            return Err(SourceError::download(provider, reason));
        }
        if !status.is_success() {
            let reason = format!("the picture server answered status {status}");
            return Err(SourceError::download(provider, reason));
        }

        let declared = resp
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_ascii_lowercase();
        if !declared.starts_with("image/") {
            let reason = format!("the picture server sent {declared:?}, not an image");
            return Err(SourceError::download(provider, reason));
        }

        let bytes = read_limited(resp, self.limit, provider).await?;
        Image::from_bytes(provider, bytes)
    }
}
