//! The one checksum of the project: 64-bit FNV-1a, stable across platforms and Rust versions
//! (`std`'s hashers are not), for what is written to disk and must read back the same: the
//! checksums of generated migrations and the hashed tails of long index names.

/// FNV-1a over `bytes`.
///
/// ```
/// use audit_schema::checksum::fnv1a;
///
/// assert_eq!(fnv1a(*b""), 0xcbf2_9ce4_8422_2325);
/// assert_eq!(fnv1a(*b"a"), 0xaf63_dc4c_8601_ec8c);
/// assert_eq!(fnv1a("up".bytes().chain(*b"\n")), fnv1a(*b"up\n"));
/// ```
pub fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
