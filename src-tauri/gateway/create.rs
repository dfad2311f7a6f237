//! Creating a HappyHorse task: the request for each of the four models, checked
//! before anything is sent, and the one POST that may cost money. It is never sent
//! twice by itself: after a timeout or a dropped connection the outcome is unknown,
//! and that is what the user is told.

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use crate::error::Error;

/// The four variants, one endpoint: the `model` field picks it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Model {
    /// Text to video.
    #[default]
    T2v,
    /// The first frame from an image.
    I2v,
    /// One to three reference images.
    R2v,
    /// Edit a video after a reference image.
    Edit,
}

impl Model {
    /// The `model` value the gateway expects.
    pub fn api_name(self) -> &'static str {
        match self {
            Self::T2v => "happyhorse-1.0-t2v",
            Self::I2v => "happyhorse-1.0-i2v",
            Self::R2v => "happyhorse-1.0-r2v",
            Self::Edit => "happyhorse-1.0-video-edit",
        }
    }

    /// The model a gateway name (or a task's `action`) stands for, where it maps.
    pub fn from_api_name(name: &str) -> Option<Self> {
        [Self::T2v, Self::I2v, Self::R2v, Self::Edit]
            .into_iter()
            .find(|m| m.api_name() == name)
    }

    /// Whether the model reads `ratio` (i2v follows its image, edit its video).
    pub fn takes_ratio(self) -> bool {
        matches!(self, Self::T2v | Self::R2v)
    }
}

/// The resolutions and ratios the gateway accepts.
pub const RESOLUTIONS: [&str; 2] = ["720P", "1080P"];
pub const RATIOS: [&str; 5] = ["16:9", "9:16", "1:1", "4:3", "3:4"];
/// Seconds a video may last (not for edits: they follow their source video).
pub const DURATIONS: std::ops::RangeInclusive<u8> = 3..=15;
/// The largest seed.
pub const MAX_SEED: u32 = 2_147_483_647;
/// What the gateway bills when no duration is given.
pub const DEFAULT_DURATION: u8 = 5;

/// One task to create, as the user described it. Fields left out read as their
/// defaults (text to video, no images, the gateway's own options).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CreateRequest {
    pub model: Model,
    pub prompt: String,
    /// i2v: the first frame (one); r2v: the references (one to three). URLs, or
    /// `data:` URLs of local files.
    pub images: Vec<String>,
    /// edit: the source video (a URL) and the reference image.
    pub video: Option<String>,
    pub reference: Option<String>,
    pub resolution: Option<String>,
    pub ratio: Option<String>,
    pub duration: Option<u8>,
    pub seed: Option<u32>,
    /// None: the gateway's default (on).
    pub watermark: Option<bool>,
}

/// The prompt's length as the upstream counts it, and its limit: 2,500 characters
/// when any is Chinese, else 5,000.
pub fn prompt_limit(prompt: &str) -> (usize, usize) {
    let count = prompt.chars().count();
    let chinese = prompt
        .chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c));
    (count, if chinese { 2_500 } else { 5_000 })
}

fn invalid(text: impl Into<String>) -> Error {
    Error::InvalidRequest(text.into())
}

impl CreateRequest {
    /// Everything checked before a byte is sent; the message names the field.
    pub fn validate(&self) -> Result<(), Error> {
        let prompt = self.prompt.trim();
        if prompt.is_empty() {
            return Err(invalid("Write a prompt first."));
        }
        let (count, limit) = prompt_limit(prompt);
        if count > limit {
            return Err(invalid(format!(
                "The prompt is {count} characters long; the limit is {limit}."
            )));
        }
        let images = self.images.len();
        match self.model {
            Model::T2v if images > 0 => {
                return Err(invalid("Text to video takes no image."));
            }
            Model::I2v if images != 1 => {
                return Err(invalid("First frame takes exactly one image."));
            }
            Model::R2v if !(1..=3).contains(&images) => {
                return Err(invalid("Reference images takes one to three images."));
            }
            Model::Edit if self.video.is_none() || self.reference.is_none() => {
                return Err(invalid(
                    "Editing a video takes the video's URL and one reference image.",
                ));
            }
            _ => {}
        }
        for url in self
            .images
            .iter()
            .chain(self.video.iter())
            .chain(self.reference.iter())
        {
            let ok = url.starts_with("https://")
                || url.starts_with("http://")
                || url.starts_with("data:image/");
            if !ok || url.chars().any(char::is_whitespace) {
                return Err(invalid(format!(
                    "{:?} is not an image or video address (http(s) or a local file).",
                    url.chars().take(60).collect::<String>()
                )));
            }
        }
        if let Some(video) = &self.video {
            if video.starts_with("data:") {
                return Err(invalid(
                    "The source video must be a URL: a local video would make a request of up to 130 MB.",
                ));
            }
        }
        if let Some(r) = &self.resolution {
            if !RESOLUTIONS.contains(&r.as_str()) {
                return Err(invalid(format!(
                    "The resolution must be 720P or 1080P, not {r:?}."
                )));
            }
        }
        if let Some(r) = &self.ratio {
            if !RATIOS.contains(&r.as_str()) {
                return Err(invalid(format!(
                    "The ratio must be one of {}, not {r:?}.",
                    RATIOS.join(", ")
                )));
            }
        }
        if let Some(d) = self.duration {
            if !DURATIONS.contains(&d) {
                return Err(invalid(format!(
                    "The duration must be 3 to 15 seconds, not {d}."
                )));
            }
        }
        if self.seed.is_some_and(|s| s > MAX_SEED) {
            return Err(invalid(format!("The seed must be 0 to {MAX_SEED}.")));
        }
        Ok(())
    }

    /// The body the gateway expects for this model. Optional fields stand at the top
    /// level, except for edits, which take only the native `input`/`parameters` shape.
    pub fn body(&self) -> Value {
        let mut options = Map::new();
        if let Some(r) = &self.resolution {
            options.insert("resolution".into(), json!(r));
        }
        if self.model.takes_ratio() {
            if let Some(r) = &self.ratio {
                options.insert("ratio".into(), json!(r));
            }
        }
        if self.model != Model::Edit {
            if let Some(d) = self.duration {
                options.insert("duration".into(), json!(d));
            }
        }
        if let Some(w) = self.watermark {
            options.insert("watermark".into(), json!(w));
        }
        if let Some(s) = self.seed {
            options.insert("seed".into(), json!(s));
        }
        let prompt = self.prompt.trim();
        let mut body = Map::new();
        body.insert("model".into(), json!(self.model.api_name()));
        match self.model {
            Model::Edit => {
                body.insert(
                    "input".into(),
                    json!({
                        "prompt": prompt,
                        "media": [
                            {"type": "video", "url": self.video},
                            {"type": "reference_image", "url": self.reference},
                        ],
                    }),
                );
                body.insert("parameters".into(), Value::Object(options));
                return Value::Object(body);
            }
            Model::T2v => {}
            Model::I2v => {
                body.insert("image".into(), json!(self.images.first()));
            }
            Model::R2v => {
                body.insert("images".into(), json!(self.images));
            }
        }
        body.insert("prompt".into(), json!(prompt));
        body.extend(options);
        Value::Object(body)
    }

    /// The seconds the gateway bills: the requested duration (an edit follows its
    /// source video, unknown here).
    pub fn billed_seconds(&self) -> Option<u32> {
        (self.model != Model::Edit).then(|| u32::from(self.duration.unwrap_or(DEFAULT_DURATION)))
    }

    /// The billing tier: the resolution asked for, or the gateway's default.
    pub fn tier(&self) -> &str {
        self.resolution.as_deref().unwrap_or("1080P")
    }

    /// The same request as it is stored in the history: `data:` images (local
    /// files, up to 20 MB each) are kept as a short note, not as their bytes.
    pub fn for_history(&self) -> Value {
        let shorten = |u: &String| {
            if u.starts_with("data:") {
                json!(format!(
                    "{} (a local file, {} bytes)",
                    u.split(';').next().unwrap_or("data:"),
                    u.len()
                ))
            } else {
                json!(u)
            }
        };
        let mut body = self.body();
        if let Some(images) = body.get_mut("images").and_then(Value::as_array_mut) {
            for image in images.iter_mut() {
                if let Some(u) = image.as_str().map(str::to_owned) {
                    *image = shorten(&u);
                }
            }
        }
        if let Some(image) = body.get("image").and_then(Value::as_str).map(str::to_owned) {
            body["image"] = shorten(&image);
        }
        if let Some(media) = body
            .pointer_mut("/input/media")
            .and_then(Value::as_array_mut)
        {
            for item in media.iter_mut() {
                if let Some(u) = item.get("url").and_then(Value::as_str).map(str::to_owned) {
                    item["url"] = shorten(&u);
                }
            }
        }
        body
    }
}

/// What a creation answered: the new task's ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub task_id: String,
}

/// Reads the gateway's answer to a POST. 200 with a task ID is a task; a clear
/// refusal (400, 403, 413, 503 or a JSON error) created nothing; an answer that
/// says neither (a proxy's 502/504, an HTML page, no ID) leaves the outcome unknown.
pub fn classify_created(
    status: u16,
    body: &[u8],
    message: Option<String>,
) -> Result<Created, Error> {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let id = json.as_ref().and_then(|j| {
        j.get("task_id")
            .or_else(|| j.get("id"))
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|s| !s.is_empty())
    });
    match status {
        200..=299 => match id.map(crate::ids::TaskId::parse) {
            Some(Ok(id)) => Ok(Created {
                task_id: id.as_str().to_owned(),
            }),
            _ => Err(Error::OutcomeUnknown(format!(
                "the gateway answered HTTP {status} without a task ID"
            ))),
        },
        // Not followed (see the client); a 303 after a POST usually means done.
        300..=399 => Err(Error::OutcomeUnknown(format!(
            "the gateway answered with a redirect (HTTP {status})"
        ))),
        401 => Err(Error::Unauthorized { detail: message }),
        429 => Err(Error::RateLimited {
            detail: message,
            retry_after: None,
        }),
        400 | 403 | 404 | 413 | 422 | 503 => Err(Error::Refused {
            status,
            detail: message,
        }),
        // A server fault may come after the upstream took the task: unknown.
        _ if json.is_some() && status < 500 => Err(Error::Refused {
            status,
            detail: message,
        }),
        _ => Err(Error::OutcomeUnknown(format!(
            "the gateway answered HTTP {status} and did not say whether it created the task"
        ))),
    }
}
