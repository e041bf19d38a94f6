//! Decoding a request's header block (RFC 7541 §3 to §6): the static and
//! the connection's dynamic table, integers, literals (Huffman-coded or
//! not), and dynamic table size updates.

use std::collections::VecDeque;

use super::huffman::{self, HuffmanError};
use super::tables::STATIC;

/// What an entry of the dynamic table counts for besides its name and
/// value (RFC 7541 §4.1).
const ENTRY_OVERHEAD: usize = 32;

/// The largest integer a block may give: far above any index, length or
/// table size the server allows, and far below an overflow.
const MAX_INTEGER: usize = 1 << 24;

/// Why a header block is refused: each is a `COMPRESSION_ERROR`, fatal to
/// the connection (RFC 9113 §4.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub(crate) enum DecodeError {
    /// The block ends inside a field.
    #[error("the header block ends inside a field")]
    Truncated,
    /// An integer too large.
    #[error("an integer too large in the header block")]
    Integer,
    /// An index of no entry.
    #[error("an index of no table entry")]
    Index,
    /// A size update above the size the server allows, or after a field.
    #[error("a table size update that is too large or out of place")]
    SizeUpdate,
    /// A badly coded string.
    #[error("a Huffman-coded string: {0}")]
    Huffman(#[from] HuffmanError),
}

/// An entry of the dynamic table.
struct Entry {
    name: Box<[u8]>,
    value: Box<[u8]>,
}

impl Entry {
    fn size(&self) -> usize {
        self.name.len() + self.value.len() + ENTRY_OVERHEAD
    }
}

/// The decoding side of a connection's header compression.
pub(crate) struct Decoder {
    /// Newest first.
    entries: VecDeque<Entry>,
    size: usize,
    /// The current maximum, as the client last set it.
    max_size: usize,
    /// The most the client may set it to (the server's
    /// `SETTINGS_HEADER_TABLE_SIZE`).
    allowed: usize,
    /// Huffman-decoded names and values, while the callback sees them.
    name_buf: Vec<u8>,
    value_buf: Vec<u8>,
}

impl Decoder {
    /// A decoder whose table may grow to `allowed` bytes.
    pub(crate) fn new(allowed: usize) -> Self {
        Self {
            entries: VecDeque::new(),
            size: 0,
            max_size: allowed,
            allowed,
            name_buf: Vec::new(),
            value_buf: Vec::new(),
        }
    }

    /// Decodes `block`, handing each field to `field` (name, value) in
    /// order. The names are as sent: checking them is the caller's part.
    pub(crate) fn decode(
        &mut self,
        block: &[u8],
        mut field: impl FnMut(&[u8], &[u8]),
    ) -> Result<(), DecodeError> {
        let mut at = 0;
        let mut fields_seen = false;
        while at < block.len() {
            let first = block[at];
            if first & 0x80 != 0 {
                let index = integer(block, &mut at, 7)?;
                let (name, value) = self.entry(index)?;
                field(name, value);
            } else if first & 0xc0 == 0x40 {
                let (name, value) = self.literal(block, &mut at, 6)?;
                let (name, value) = (self.resolve(name), self.resolve(value));
                field(name, value);
                let entry = Entry {
                    name: name.into(),
                    value: value.into(),
                };
                self.insert(entry);
            } else if first & 0xe0 == 0x20 {
                // Only before the first field (RFC 7541 §4.2).
                if fields_seen {
                    return Err(DecodeError::SizeUpdate);
                }
                let size = integer(block, &mut at, 5)?;
                if size > self.allowed {
                    return Err(DecodeError::SizeUpdate);
                }
                self.max_size = size;
                self.evict_to(size);
                continue;
            } else {
                // Without indexing (0000) or never indexed (0001).
                let (name, value) = self.literal(block, &mut at, 4)?;
                field(self.resolve(name), self.resolve(value));
            }
            fields_seen = true;
        }
        Ok(())
    }

    /// The dynamic table's size and number of entries.
    #[cfg(test)]
    pub(super) fn table(&self) -> (usize, usize) {
        (self.size, self.entries.len())
    }

    /// The name and value of table entry `index` (from 1; static first).
    fn entry(&self, index: usize) -> Result<(&[u8], &[u8]), DecodeError> {
        match index {
            0 => Err(DecodeError::Index),
            1..=61 => {
                let (name, value) = STATIC[index - 1];
                Ok((name.as_bytes(), value.as_bytes()))
            }
            _ => self
                .entries
                .get(index - 62)
                .map(|entry| (&*entry.name, &*entry.value))
                .ok_or(DecodeError::Index),
        }
    }

    /// A literal field whose name index has a `prefix`-bit prefix: where
    /// its name and value are.
    fn literal<'b>(
        &mut self,
        block: &'b [u8],
        at: &mut usize,
        prefix: u8,
    ) -> Result<(Src<'b>, Src<'b>), DecodeError> {
        let index = integer(block, at, prefix)?;
        let name = if index == 0 {
            string(block, at, &mut self.name_buf, Src::NameBuf)?
        } else {
            self.entry(index)?;
            Src::Table(index)
        };
        let value = string(block, at, &mut self.value_buf, Src::ValueBuf)?;
        Ok((name, value))
    }

    /// The bytes `src` says where to find.
    fn resolve<'a>(&'a self, src: Src<'a>) -> &'a [u8] {
        match src {
            Src::Block(bytes) => bytes,
            Src::NameBuf => &self.name_buf,
            Src::ValueBuf => &self.value_buf,
            Src::Table(index) => self.entry(index).map_or(&[][..], |(name, _)| name),
        }
    }

    /// Adds `entry`, evicting the oldest to make room; one larger than the
    /// table empties it (RFC 7541 §4.4).
    fn insert(&mut self, entry: Entry) {
        let size = entry.size();
        if size > self.max_size {
            self.entries.clear();
            self.size = 0;
            return;
        }
        self.evict_to(self.max_size - size);
        self.size += size;
        self.entries.push_front(entry);
    }

    fn evict_to(&mut self, size: usize) {
        while self.size > size {
            let Some(oldest) = self.entries.pop_back() else {
                break;
            };
            self.size -= oldest.size();
        }
    }
}

/// Where a literal's name or value is.
#[derive(Clone, Copy)]
enum Src<'b> {
    /// In the block itself.
    Block(&'b [u8]),
    /// In the decoder's buffer for names or values (Huffman-decoded).
    NameBuf,
    ValueBuf,
    /// The name of a table entry (checked to exist).
    Table(usize),
}

/// An integer with an `n`-bit prefix at `*at` (RFC 7541 §5.1).
fn integer(block: &[u8], at: &mut usize, n: u8) -> Result<usize, DecodeError> {
    let mask = (1_usize << n) - 1;
    let first = *block.get(*at).ok_or(DecodeError::Truncated)? as usize & mask;
    *at += 1;
    if first < mask {
        return Ok(first);
    }
    let (mut value, mut shift) = (mask, 0);
    loop {
        let byte = *block.get(*at).ok_or(DecodeError::Truncated)?;
        *at += 1;
        value += usize::from(byte & 0x7f) << shift;
        if value > MAX_INTEGER {
            return Err(DecodeError::Integer);
        }
        if byte & 0x80 == 0 {
            return Ok(value);
        }
        shift += 7;
    }
}

/// A string literal at `*at` (RFC 7541 §5.2): in the block, or if it is
/// Huffman-coded, decoded into `buf` (which `in_buf` names).
fn string<'b>(
    block: &'b [u8],
    at: &mut usize,
    buf: &mut Vec<u8>,
    in_buf: Src<'static>,
) -> Result<Src<'b>, DecodeError> {
    let coded = *block.get(*at).ok_or(DecodeError::Truncated)? & 0x80 != 0;
    let len = integer(block, at, 7)?;
    let end = at.checked_add(len).filter(|&end| end <= block.len());
    let end = end.ok_or(DecodeError::Truncated)?;
    let start = std::mem::replace(at, end);
    if coded {
        buf.clear();
        huffman::decode(&block[start..end], buf)?;
        Ok(in_buf)
    } else {
        Ok(Src::Block(&block[start..end]))
    }
}
