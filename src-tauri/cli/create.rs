//! `paddock create`: make tasks from a terminal, one POST each and never a second
//! one by itself; and `paddock balance`. Everything is checked before the first
//! byte is sent, and a batch asks first.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::json;

use super::output::detail_json;
use super::{fail, start};
use crate::error::Error;
use crate::gateway::{
    data_url_from_file, CreateRequest, ImageUse, Model, DEFAULT_UNITS_PER_DOLLAR,
};
use crate::paddock::Paddock;
use crate::tasks::NoEvents;

/// What `paddock create` sends.
#[derive(clap::Args, Debug, Clone)]
pub struct CreateArgs {
    /// t2v (text), i2v (first frame), r2v (reference images) or edit (a video).
    #[arg(long, value_parser = parse_model, default_value = "t2v")]
    pub model: Model,
    /// The prompt.
    #[arg(long)]
    pub prompt: Option<String>,
    /// A file with one prompt per line (several lines make a batch).
    #[arg(long, value_name = "FILE")]
    pub prompt_file: Option<PathBuf>,
    /// An image URL or a local file (i2v: one; r2v: one to three).
    #[arg(long, value_name = "URL|FILE")]
    pub image: Vec<String>,
    /// The video to edit (a URL).
    #[arg(long, value_name = "URL")]
    pub video: Option<String>,
    /// The reference image of an edit (a URL or a local file).
    #[arg(long, value_name = "URL|FILE")]
    pub reference: Option<String>,
    /// 720P or 1080P (default: the gateway's, 1080P).
    #[arg(long)]
    pub resolution: Option<String>,
    /// 16:9, 9:16, 1:1, 4:3 or 3:4 (t2v and r2v).
    #[arg(long)]
    pub ratio: Option<String>,
    /// Seconds, 3 to 15 (default 5; not for edits).
    #[arg(long)]
    pub duration: Option<u8>,
    /// The seed (the next tasks of --count take the next seeds).
    #[arg(long)]
    pub seed: Option<u32>,
    /// No "Happy Horse" mark in the corner.
    #[arg(long)]
    pub no_watermark: bool,
    /// Variations of each prompt.
    #[arg(long, default_value_t = 1)]
    pub count: u32,
    /// Create a batch without asking.
    #[arg(long)]
    pub yes: bool,
    /// Watch the new tasks until they finish.
    #[arg(long)]
    pub wait: bool,
    /// Save each video into this folder (implies --wait).
    #[arg(long, value_name = "DIR")]
    pub save: Option<PathBuf>,
    /// One JSON object per line.
    #[arg(long)]
    pub json: bool,
}

fn parse_model(text: &str) -> Result<Model, String> {
    match text {
        "t2v" => Ok(Model::T2v),
        "i2v" => Ok(Model::I2v),
        "r2v" => Ok(Model::R2v),
        "edit" => Ok(Model::Edit),
        other => Model::from_api_name(other)
            .ok_or_else(|| format!("{other:?} is not a model: use t2v, i2v, r2v or edit")),
    }
}

/// A URL as it is, or a local file made a `data:` URL after its checks.
fn image_source(text: &str, use_: ImageUse) -> Result<String, Error> {
    if text.starts_with("https://") || text.starts_with("http://") {
        return Ok(text.to_owned());
    }
    data_url_from_file(Path::new(text), use_)
}

/// Variations of one prompt at most, as in the window.
const MAX_COUNT: u32 = 20;
/// Tasks one run may create at most: a runaway prompt file is not a bill.
const MAX_REQUESTS: usize = 100;
/// The prompt file's size at most (a prompt is at most 5,000 characters).
const MAX_PROMPT_FILE_BYTES: u64 = 1024 * 1024;

fn read_prompts(args: &CreateArgs) -> Result<Vec<String>, Error> {
    let from_file = match &args.prompt_file {
        Some(path) => {
            let size = std::fs::metadata(path)
                .map_err(|e| Error::from_io(path, &e))?
                .len();
            if size > MAX_PROMPT_FILE_BYTES {
                return Err(Error::InvalidRequest(format!(
                    "The prompt file is {size} bytes; at most {MAX_PROMPT_FILE_BYTES} are read."
                )));
            }
            let text = std::fs::read_to_string(path).map_err(|e| Error::from_io(path, &e))?;
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        }
        None => Vec::new(),
    };
    let prompts: Vec<String> = args.prompt.iter().cloned().chain(from_file).collect();
    if prompts.is_empty() {
        return Err(Error::InvalidRequest(
            "Give a prompt: --prompt TEXT or --prompt-file FILE.".into(),
        ));
    }
    Ok(prompts)
}

/// Every request of the run: each prompt × `--count` variations (seeds counted up
/// from `--seed`, or left to the gateway), all checked before any is sent.
pub(super) fn build_requests(args: &CreateArgs) -> Result<Vec<CreateRequest>, Error> {
    let model = args.model;
    let (images, video, reference) = match model {
        Model::T2v => (Vec::new(), None, None),
        Model::I2v | Model::R2v => {
            let use_ = if model == Model::I2v {
                ImageUse::FirstFrame
            } else {
                ImageUse::Reference
            };
            let images = args
                .image
                .iter()
                .map(|i| image_source(i, use_))
                .collect::<Result<_, _>>()?;
            (images, None, None)
        }
        Model::Edit => (
            Vec::new(),
            args.video.clone(),
            args.reference
                .as_deref()
                .map(|r| image_source(r, ImageUse::EditReference))
                .transpose()?,
        ),
    };
    if args.count > MAX_COUNT {
        return Err(Error::InvalidRequest(format!(
            "--count is at most {MAX_COUNT}."
        )));
    }
    let prompts = read_prompts(args)?;
    let total = prompts.len().saturating_mul(args.count.max(1) as usize);
    if total > MAX_REQUESTS {
        return Err(Error::InvalidRequest(format!(
            "That is {total} tasks; one run creates at most {MAX_REQUESTS}."
        )));
    }
    let mut requests = Vec::new();
    for prompt in prompts {
        for n in 0..args.count.max(1) {
            let request = CreateRequest {
                model,
                prompt: prompt.clone(),
                images: images.clone(),
                video: video.clone(),
                reference: reference.clone(),
                resolution: args.resolution.clone(),
                ratio: args.ratio.clone(),
                duration: args.duration,
                seed: args.seed.map(|s| s.saturating_add(n)),
                watermark: args.no_watermark.then_some(false),
            };
            request.validate()?;
            requests.push(request);
        }
    }
    Ok(requests)
}

/// "4 tasks, 40 s billed at 720P" (edits follow their source video).
fn summary(requests: &[CreateRequest]) -> String {
    let seconds: u32 = requests
        .iter()
        .filter_map(CreateRequest::billed_seconds)
        .sum();
    let tier = requests.first().map_or("1080P", |r| r.tier());
    let tasks = if requests.len() == 1 {
        "1 task".to_owned()
    } else {
        format!("{} tasks", requests.len())
    };
    if requests.iter().any(|r| r.billed_seconds().is_none()) {
        format!("{tasks}, billed at {tier} for the length of the source video")
    } else {
        format!("{tasks}, {seconds} s billed at {tier}")
    }
}

fn confirmed(requests: &[CreateRequest], yes: bool) -> Result<bool, u8> {
    if requests.len() == 1 || yes {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        eprintln!(
            "paddock: {}; a batch needs --yes when no one can answer",
            summary(requests)
        );
        return Err(2);
    }
    eprint!("Create {}? [y/N] ", summary(requests));
    let _ = std::io::stderr().flush();
    let mut answer = String::new();
    let _ = std::io::stdin().read_line(&mut answer);
    Ok(matches!(answer.trim(), "y" | "Y" | "yes"))
}

pub(super) async fn create(paddock: &Paddock, args: CreateArgs) -> u8 {
    let requests = match build_requests(&args) {
        Ok(r) => r,
        Err(e) => return fail(&e),
    };
    match confirmed(&requests, args.yes) {
        Ok(true) => {}
        Ok(false) => {
            eprintln!("paddock: nothing was sent");
            return 1;
        }
        Err(code) => return code,
    }
    let watching = args.wait || args.save.is_some();
    let (events, rx) = if watching {
        let (events, rx) = super::watch::channel_events();
        (events, Some(rx))
    } else {
        (
            Arc::new(NoEvents) as Arc<dyn crate::tasks::TaskEvents>,
            None,
        )
    };
    if let Err(code) = start(paddock, events) {
        return code;
    }
    let mut created = Vec::new();
    let mut worst = 0;
    // One after another: a batch is polite to the gateway, and an unknown outcome
    // stops the run before more may be charged.
    for request in &requests {
        match paddock.create(request).await {
            Ok(id) => {
                if args.json {
                    let detail = paddock.task(&id).ok().flatten();
                    let mut line = detail
                        .as_ref()
                        .map(detail_json)
                        .unwrap_or(json!({"id": id}));
                    line["request"] = request.for_history();
                    println!("{line}");
                } else {
                    println!("{id}");
                }
                created.push(id);
            }
            Err(Error::CreatedNotRecorded { id, reason }) => {
                // Created and charged, but the history cannot be written: print the
                // ID (it is the user's only record) and send nothing more.
                let e = Error::CreatedNotRecorded {
                    id: id.clone(),
                    reason,
                };
                eprintln!("paddock: {e}");
                println!("{id}");
                worst = worst.max(e.exit_code());
                break;
            }
            Err(e) => {
                eprintln!("paddock: {e}");
                worst = worst.max(e.exit_code());
                if matches!(e, Error::OutcomeUnknown(_) | Error::Unauthorized { .. }) {
                    break;
                }
            }
        }
    }
    if let (Some(rx), false) = (rx, created.is_empty()) {
        let code =
            super::watch::follow(paddock, rx, created, args.save.clone(), None, args.json).await;
        worst = worst.max(code);
    }
    worst
}

pub(super) async fn balance(paddock: &Paddock, units_per_dollar: Option<f64>) -> u8 {
    match paddock.balance().await {
        Ok(Some(b)) if b.unlimited => {
            println!("unlimited");
            0
        }
        Ok(Some(b)) => {
            let per = units_per_dollar.unwrap_or(DEFAULT_UNITS_PER_DOLLAR);
            println!(
                "{:.0} units available (${:.2} at {per} per dollar), {:.0} used",
                b.available,
                b.dollars(per),
                b.used
            );
            0
        }
        Ok(None) => {
            println!("this gateway does not tell the balance");
            0
        }
        Err(e) => fail(&e),
    }
}
