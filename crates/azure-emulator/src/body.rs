//! Response bodies: whole ones (every normal reply) and the `body_bytes` /
//! `endless_body` faults' streams, which let tests and benchmarks send a
//! client a 4 GB or never-ending reply without holding it in memory.

use http_body_util::Full;
use hyper::body::{Body, Bytes, Frame, SizeHint};
use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Size of each streamed chunk.
const CHUNK: usize = 64 * 1024;

pub enum EmuBody {
    Full(Full<Bytes>),
    /// A JSON-looking stream: `{"access_token":"aaaa...` (the string never
    /// closes); `left: None` never ends.
    Stream {
        left: Option<u64>,
        head: Option<Bytes>,
        chunk: Bytes,
    },
}

impl EmuBody {
    /// `bytes` bytes in all, or endless with `None`.
    pub fn stream(bytes: Option<u64>) -> EmuBody {
        EmuBody::Stream {
            left: bytes,
            head: Some(Bytes::from_static(br#"{"access_token":""#)),
            chunk: Bytes::from(vec![b'a'; CHUNK]),
        }
    }
}

impl Body for EmuBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match self.get_mut() {
            EmuBody::Full(full) => Pin::new(full).poll_frame(cx),
            EmuBody::Stream { left, head, chunk } => {
                let next = head.take().unwrap_or_else(|| chunk.clone());
                let take = match left {
                    Some(0) => return Poll::Ready(None),
                    Some(n) => {
                        let take = (*n).min(next.len() as u64);
                        *n -= take;
                        usize::try_from(take).unwrap_or(next.len())
                    }
                    None => next.len(),
                };
                Poll::Ready(Some(Ok(Frame::data(next.slice(..take)))))
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match self {
            EmuBody::Full(full) => full.is_end_stream(),
            EmuBody::Stream { left, .. } => *left == Some(0),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            EmuBody::Full(full) => full.size_hint(),
            EmuBody::Stream { left: Some(n), .. } => SizeHint::with_exact(*n),
            EmuBody::Stream { left: None, .. } => SizeHint::default(),
        }
    }
}
