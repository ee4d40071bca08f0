//! The OpenAI-style `images/generations` APIs: OpenAI (DALL-E 3, gpt-image-1), Zhipu
//! CogView and Volcengine Ark Seedream. Each takes a JSON body with model, prompt and
//! size, and answers `data: [{url | b64_json}]`.

use illustrator_analysis::Placement;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::SourceError;
use crate::picture::{Fetched, Image};
use crate::providers::Call;
use crate::shape::Shape;

#[derive(Deserialize)]
struct Generated {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    request_id: Option<String>,
    #[serde(default)]
    data: Vec<Item>,
}

/// One result: a URL to download, the bytes in base64, or (Ark) an error for this image.
#[derive(Deserialize)]
struct Item {
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    b64_json: Option<String>,
    #[serde(default)]
    error: Option<Value>,
}

/// OpenAI. DALL-E models are asked for base64 so no second request is needed; gpt-image
/// models always answer in base64 and take no `response_format`.
pub(crate) async fn openai(
    call: &Call<'_>,
    prompt: &str,
    placement: &Placement,
) -> Result<Fetched, SourceError> {
    let size = Shape::of(placement).size(call.model);
    let mut body = json!({ "model": call.model, "prompt": prompt, "n": 1, "size": size });
    if call.model.starts_with("dall-e") {
        body["response_format"] = json!("b64_json");
    }
    generate(call, body).await
}

/// Zhipu CogView (cogview-4, cogview-3-flash).
pub(crate) async fn zhipu(
    call: &Call<'_>,
    prompt: &str,
    placement: &Placement,
) -> Result<Fetched, SourceError> {
    let size = Shape::of(placement).size(call.model);
    let body = json!({ "model": call.model, "prompt": prompt, "size": size });
    generate(call, body).await
}

/// Volcengine Ark Seedream, without the visible "AI generated" watermark: the product
/// labels generated pictures itself.
pub(crate) async fn ark(
    call: &Call<'_>,
    prompt: &str,
    placement: &Placement,
) -> Result<Fetched, SourceError> {
    let size = Shape::of(placement).size(call.model);
    let body = json!({
        "model": call.model,
        "prompt": prompt,
        "size": size,
        "response_format": "url",
        "watermark": false,
    });
    generate(call, body).await
}

/// Posts `body` to `{base}/images/generations` with a bearer key and turns the first
/// result into a picture. The POST is not retried after a timeout (see [`crate::http`]).
async fn generate(call: &Call<'_>, body: Value) -> Result<Fetched, SourceError> {
    let client = &call.inner.http.client;
    let url = format!("{}/images/generations", call.base);
    let build = || client.post(&url).bearer_auth(call.key).json(&body);

    let resp = call
        .inner
        .http
        .send(call.provider, false, call.timeout(), build)
        .await?;
    let (generated, header_id): (Generated, _) =
        crate::http::json(call.provider, resp, call.json_limit()).await?;

    let request_id = header_id.or(generated.request_id).or(generated.id);
    let item = generated
        .data
        .into_iter()
        .next()
        .ok_or_else(|| SourceError::protocol(call.provider, "no image in the answer"))?;
    let image = image_of(call, item).await?;

    tracing::debug!(
        provider = call.provider,
        model = call.model,
        "image generated"
    );
    Ok(Fetched {
        bytes: image.bytes,
        content_type: image.content_type,
        width: image.width,
        height: image.height,
        provider: call.provider.to_string(),
        model: Some(call.model.to_string()),
        request_id,
        attribution: None,
        price_milli_fen: 0,
    })
}

async fn image_of(call: &Call<'_>, item: Item) -> Result<Image, SourceError> {
    if let Some(error) = item.error {
        let code = error["code"].as_str().unwrap_or_default();
        let message = error["message"].as_str().unwrap_or_default();
        let content_policy = code.to_ascii_lowercase().contains("sensitive");
        return Err(SourceError::Refused {
            provider: call.provider,
            status: 200,
            reason: format!("{code}: {message}"),
            content_policy,
        });
    }

    let limit = call.inner.config.max_download_bytes;
    match (item.b64_json, item.url) {
        (Some(encoded), _) => Image::from_base64(call.provider, &encoded, limit),
        (None, Some(url)) => call.inner.downloader.fetch(call.provider, &url).await,
        (None, None) => Err(SourceError::protocol(
            call.provider,
            "an image with neither url nor b64_json",
        )),
    }
}
