//! `paddock usage`: what the finished tasks were billed, per local day and tier.

use super::fail;
use crate::error::Error;
use crate::paddock::Paddock;
use crate::tasks::usage::{Period, Tally};

/// A `YYYY-MM-DD` date, or a usage error.
fn check_date(text: &str) -> Result<String, Error> {
    let b = text.as_bytes();
    let shaped = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    if shaped {
        Ok(text.to_owned())
    } else {
        Err(Error::InvalidRequest(format!(
            "--since takes a date as YYYY-MM-DD, not {text:?}."
        )))
    }
}

fn price(text: &str) -> Option<f64> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|p| p.is_finite() && *p >= 0.0)
}

fn cell(t: &Tally) -> String {
    format!("{:>5} {:>9.2}", t.tasks, t.seconds)
}

pub(super) async fn usage(paddock: &Paddock, since: Option<String>, json: bool) -> u8 {
    let since = match since.as_deref().map(check_date).transpose() {
        Ok(s) => s,
        Err(e) => return fail(&e),
    };
    let usage = match paddock.usage(since).await {
        Ok(u) => u,
        Err(e) => return fail(&e),
    };
    if json {
        match serde_json::to_string(&usage) {
            Ok(text) => println!("{text}"),
            Err(e) => return fail(&Error::Internal(e.to_string())),
        }
        return 0;
    }
    let settings = paddock.settings().settings;
    let prices = (price(&settings.price_720p), price(&settings.price_1080p));
    let money = |p: &Period| match prices {
        (Some(a), Some(b)) => format!(
            "  {}{:.2}",
            settings.currency,
            p.p720.seconds * a + p.p1080.seconds * b
        ),
        _ => String::new(),
    };
    println!(
        "{:<10}  {:>5} {:>9}  {:>5} {:>9}  {:>6}",
        "date", "720P", "seconds", "1080P", "seconds", "failed"
    );
    let line = |label: &str, p: &Period| {
        println!(
            "{label:<10}  {}  {}  {:>6}{}",
            cell(&p.p720),
            cell(&p.p1080),
            p.failed,
            money(p)
        );
    };
    for day in &usage.days {
        line(day.date.as_deref().unwrap_or(""), day);
    }
    line("total", &usage.total);
    if !usage.weeks.is_empty() {
        println!("\nweeks, by their Monday:");
        for week in &usage.weeks {
            line(week.date.as_deref().unwrap_or(""), week);
        }
    }
    0
}
