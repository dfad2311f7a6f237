//! Videos on disk: the download that saves one before its link dies, the registry of
//! saves in progress, file names, and the loopback server that plays saved copies.

mod download;
pub mod media_server;
mod names;
mod part_file;
mod posters;
mod saves;
mod stall_limit;

pub use download::{download, CancelHandle, Progress, SaveOptions, DEFAULT_MAX_BYTES};
pub use media_server::MediaServer;
pub use names::{default_file_name, part_path, slugify, unused_path, unused_path_where};
pub use posters::{is_whole_jpeg, Posters, MAX_POSTER_BYTES};
pub use saves::{SaveSlot, Saves};
