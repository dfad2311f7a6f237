//! What a stock gateway says of a key's balance. Optional: Anyfast documents no
//! such route, so anything but a clear answer means "this gateway does not tell".

use serde::Serialize;
use serde_json::Value;

/// Quota units per US dollar on stock new-api gateways, unless Settings say otherwise.
pub const DEFAULT_UNITS_PER_DOLLAR: f64 = 500_000.0;

/// A key's balance, in the gateway's own quota units.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Balance {
    pub available: f64,
    pub used: f64,
    pub unlimited: bool,
}

impl Balance {
    /// Reads `{"code":true,"data":{"total_available":…,"total_used":…}}`; None for
    /// anything else.
    pub fn read(body: &[u8]) -> Option<Self> {
        let json: Value = serde_json::from_slice(body).ok()?;
        let data = json.get("data")?;
        let number = |k: &str| {
            data.get(k)
                .and_then(Value::as_f64)
                .filter(|f| f.is_finite())
        };
        Some(Self {
            available: number("total_available")?,
            used: number("total_used").unwrap_or(0.0),
            unlimited: data
                .get("unlimited_quota")
                .and_then(Value::as_bool)
                .unwrap_or(false),
        })
    }

    /// The balance in dollars at `units_per_dollar`.
    pub fn dollars(&self, units_per_dollar: f64) -> f64 {
        if units_per_dollar > 0.0 {
            self.available / units_per_dollar
        } else {
            0.0
        }
    }
}
