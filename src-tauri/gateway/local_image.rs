//! A local image offered to the gateway as a `data:` URL: its type read from its
//! bytes (not its name), its pixel size read from its header, and the limits the
//! upstream documents checked before anything is sent. Whether Anyfast passes
//! embedded images on is unverified; the window says so.

use std::path::Path;

use crate::error::Error;

/// What the upstream takes of a first frame (i2v); references (r2v) need a short
/// side of 400 px; an edit's reference image at most 10 MB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageUse {
    FirstFrame,
    Reference,
    EditReference,
}

impl ImageUse {
    fn max_bytes(self) -> usize {
        match self {
            Self::EditReference => 10 << 20,
            _ => 20 << 20,
        }
    }
}

/// An image's type and pixel size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageInfo {
    pub mime: &'static str,
    pub width: u32,
    pub height: u32,
}

/// Reads the type and size from the first bytes of a JPEG, PNG or WEBP.
pub fn sniff(bytes: &[u8]) -> Option<ImageInfo> {
    let be16 = |i: usize| -> Option<u32> {
        Some(u32::from(u16::from_be_bytes([
            *bytes.get(i)?,
            *bytes.get(i + 1)?,
        ])))
    };
    let be32 = |i: usize| -> Option<u32> {
        Some(u32::from_be_bytes([
            *bytes.get(i)?,
            *bytes.get(i + 1)?,
            *bytes.get(i + 2)?,
            *bytes.get(i + 3)?,
        ]))
    };
    let le16 = |i: usize| -> Option<u32> {
        Some(u32::from(u16::from_le_bytes([
            *bytes.get(i)?,
            *bytes.get(i + 1)?,
        ])))
    };
    let le24 = |i: usize| -> Option<u32> {
        Some(
            u32::from(*bytes.get(i)?)
                | u32::from(*bytes.get(i + 1)?) << 8
                | u32::from(*bytes.get(i + 2)?) << 16,
        )
    };
    if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.get(12..16) == Some(b"IHDR") {
        return Some(ImageInfo {
            mime: "image/png",
            width: be32(16)?,
            height: be32(20)?,
        });
    }
    if bytes.starts_with(b"RIFF") && bytes.get(8..12) == Some(b"WEBP") {
        let (width, height) = match bytes.get(12..16)? {
            b"VP8 " => (le16(26)? & 0x3fff, le16(28)? & 0x3fff),
            b"VP8L" => {
                let b = |i: usize| bytes.get(i).copied().map(u32::from);
                let (b1, b2, b3, b4) = (b(21)?, b(22)?, b(23)?, b(24)?);
                (
                    1 + (((b2 & 0x3f) << 8) | b1),
                    1 + (((b4 & 0x0f) << 10) | (b3 << 2) | ((b2 & 0xc0) >> 6)),
                )
            }
            b"VP8X" => (1 + le24(24)?, 1 + le24(27)?),
            _ => return None,
        };
        return Some(ImageInfo {
            mime: "image/webp",
            width,
            height,
        });
    }
    if bytes.starts_with(&[0xff, 0xd8]) {
        // Walk the markers to the first frame header (SOF0..SOF15 but DHT/JPG/DAC).
        let mut i = 2;
        while i + 9 < bytes.len() {
            if bytes[i] != 0xff {
                return None;
            }
            let marker = bytes[i + 1];
            if marker == 0xff {
                i += 1;
                continue;
            }
            let length = be16(i + 2)? as usize;
            if (0xc0..=0xcf).contains(&marker) && ![0xc4, 0xc8, 0xcc].contains(&marker) {
                return Some(ImageInfo {
                    mime: "image/jpeg",
                    width: be16(i + 7)?,
                    height: be16(i + 5)?,
                });
            }
            i = i.checked_add(2 + length)?;
        }
    }
    None
}

/// Checks an image against what the upstream takes for this use.
pub fn check(bytes: &[u8], use_: ImageUse) -> Result<ImageInfo, Error> {
    let refuse = |why: String| Error::InvalidRequest(why);
    if bytes.len() > use_.max_bytes() {
        return Err(refuse(format!(
            "The image is {} MB; at most {} MB is taken.",
            bytes.len() >> 20,
            use_.max_bytes() >> 20
        )));
    }
    let info =
        sniff(bytes).ok_or_else(|| refuse("This is not a JPEG, PNG or WEBP image.".into()))?;
    let (short, long) = (info.width.min(info.height), info.width.max(info.height));
    match use_ {
        ImageUse::FirstFrame => {
            if short < 300 {
                return Err(refuse(format!(
                    "The image is {}×{}; each side must be at least 300 px.",
                    info.width, info.height
                )));
            }
            if f64::from(long) / f64::from(short.max(1)) > 2.5 {
                return Err(refuse(format!(
                    "The image is {}×{}; its sides may differ by 2.5 times at most.",
                    info.width, info.height
                )));
            }
        }
        ImageUse::Reference if short < 400 => {
            return Err(refuse(format!(
                "The image is {}×{}; its short side must be at least 400 px.",
                info.width, info.height
            )));
        }
        _ => {}
    }
    Ok(info)
}

/// Reads a local image (at most 20 MB), checks it and makes it a `data:` URL.
pub fn data_url_from_file(path: &Path, use_: ImageUse) -> Result<String, Error> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(use_.max_bytes() as u64 + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::from_io(path, &e))?;
    let info = check(&bytes, use_)?;
    Ok(format!("data:{};base64,{}", info.mime, base64(&bytes)))
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(width: u32, height: u32) -> Vec<u8> {
        let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        b.extend(width.to_be_bytes());
        b.extend(height.to_be_bytes());
        b.extend([8, 2, 0, 0, 0]);
        b
    }

    #[test]
    fn base64_matches_the_rfc_examples() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn sizes_are_read_from_the_headers() {
        assert_eq!(
            sniff(&png(1280, 720)),
            Some(ImageInfo {
                mime: "image/png",
                width: 1280,
                height: 720
            })
        );
        let jpeg = [
            0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x02,
            0xd0, 0x05, 0x00, 0x03,
        ];
        assert_eq!(sniff(&jpeg).map(|i| (i.width, i.height)), Some((1280, 720)));
        assert_eq!(sniff(b"GIF89a...."), None);
        assert_eq!(
            sniff(&[0xff, 0xd8, 0xff]),
            None,
            "a cut-off JPEG is not read past its end"
        );
    }

    #[test]
    fn the_documented_limits_are_checked() {
        assert!(check(&png(1280, 720), ImageUse::FirstFrame).is_ok());
        assert_eq!(
            check(&png(200, 720), ImageUse::FirstFrame)
                .unwrap_err()
                .code(),
            "invalid_request"
        );
        assert!(
            check(&png(3000, 400), ImageUse::FirstFrame).is_err(),
            "wider than 2.5:1"
        );
        assert!(check(&png(1280, 390), ImageUse::Reference).is_err());
        assert!(check(b"not an image", ImageUse::Reference).is_err());
    }
}
