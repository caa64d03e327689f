//! The messages between `permitdesk serve` and its clients, one JSON document per
//! length-delimited frame (tokio-util's codec). The first message each way is the handshake:
//! the client's [`Hello`], the server's [`Welcome`] or a refusal.

use crate::cli::Cli;
use crate::console::worker::{Job, Reply};
use crate::domain::{Policy, Role};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;
use tokio::net::UnixStream;
use tokio_util::codec::{Framed, LengthDelimitedCodec};

/// Bumped whenever a message changes shape; client and server must agree exactly (2: the
/// verification checklist's visa kind and power of attorney, the settings command, a permit on
/// submissions and the e-certificate refusal, issue 15; 3: the dashboard in sections, issue 18;
/// 4: the office's policy in the welcome, for the console's dialogs, issue 14; 5: an action's
/// reply names the action it answers, and a conflict its last change by who, what and when,
/// issue 14; 6: refusals name their action by its kind, a review step says whether it was
/// skipped, and the console asks whether its user may still act, issue 14).
pub const PROTOCOL: u32 = 6;

/// The largest frame either side accepts; a larger one closes the connection.
pub const MAX_FRAME: usize = 16 << 20;

/// Files travel in pieces of this size.
pub const CHUNK: usize = 1 << 20;

/// The most a client may upload for one command (input files for `import`): the server holds
/// them in memory while the command runs.
pub const MAX_UPLOAD: u64 = 256 << 20;

pub type Connection = Framed<UnixStream, LengthDelimitedCodec>;

pub fn frame(stream: UnixStream) -> Connection {
    let codec = LengthDelimitedCodec::builder()
        .max_frame_length(MAX_FRAME)
        .new_codec();
    Framed::new(stream, codec)
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Hello {
    pub protocol: u32,
    pub version: String,
    /// `--as` and `--today`, honoured only by a server started with `--trust-declared-user`.
    pub as_user: Option<String>,
    pub today: Option<String>,
    /// `zh` or `en`: the language refusals are said in.
    pub lang: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Welcome {
    pub protocol: u32,
    pub server_version: String,
    pub store_id: String,
    /// The store file's name, for the console's title (never its path).
    pub store_label: String,
    /// Who the server says you are, with your roles.
    pub user: String,
    pub roles: Vec<Role>,
    pub today: NaiveDate,
    /// The office's policy, as the store holds it.
    pub policy: Policy,
}

/// A calendar the client read from its own files (`calendar install`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CalendarText {
    pub text: String,
    pub source: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ClientMsg {
    Hello(Hello),
    /// A piece of an input file named on the command line, read by the client as its user.
    Upload {
        path: PathBuf,
        #[serde(with = "base64_bytes")]
        chunk: Vec<u8>,
    },
    /// Run a command; the server fills in the store and who is asking.
    Run {
        cli: Box<Cli>,
        calendar: Option<CalendarText>,
    },
    /// One console job; answered by one [`ServerMsg::Reply`], in order.
    Job(Box<Job>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum ServerMsg {
    Welcome(Welcome),
    /// The connection is refused or closed: say `message`, exit with `code`.
    Refused {
        code: u8,
        message: String,
    },
    Stdout(#[serde(with = "base64_bytes")] Vec<u8>),
    Stderr(#[serde(with = "base64_bytes")] Vec<u8>),
    /// An output file the client writes at `path`, as itself.
    FileBegin {
        path: PathBuf,
    },
    FileChunk(#[serde(with = "base64_bytes")] Vec<u8>),
    FileCommit,
    /// The command ended: 0, or the exit code with its message.
    Done {
        code: u8,
        message: Option<String>,
    },
    Reply(Box<Reply>),
    /// Something committed: the cases it touched (empty when unknown) and a new change number.
    Changed {
        version: i64,
        cases: Vec<String>,
    },
}

pub fn encode<T: Serialize>(msg: &T) -> Result<bytes::Bytes, serde_json::Error> {
    serde_json::to_vec(msg).map(bytes::Bytes::from)
}

pub fn decode<'a, T: Deserialize<'a>>(frame: &'a [u8]) -> Result<T, serde_json::Error> {
    serde_json::from_slice(frame)
}

mod base64_bytes {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(serde::de::Error::custom)
    }
}
