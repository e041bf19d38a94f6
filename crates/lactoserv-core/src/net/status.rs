//! Status codes: reason phrases (the `statuses` table Lactoserv uses, with
//! its `I'm a Teapot`) and the rules for which bodies a status may carry.

/// The reason phrase of `status`, if it has one.
pub fn reason(status: u16) -> Option<&'static str> {
    Some(match status {
        100 => "Continue",
        101 => "Switching Protocols",
        102 => "Processing",
        103 => "Early Hints",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        203 => "Non-Authoritative Information",
        204 => "No Content",
        205 => "Reset Content",
        206 => "Partial Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        226 => "IM Used",
        300 => "Multiple Choices",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        305 => "Use Proxy",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        407 => "Proxy Authentication Required",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        411 => "Length Required",
        412 => "Precondition Failed",
        413 => "Payload Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        416 => "Range Not Satisfiable",
        417 => "Expectation Failed",
        418 => "I'm a Teapot",
        421 => "Misdirected Request",
        422 => "Unprocessable Entity",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        426 => "Upgrade Required",
        428 => "Precondition Required",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        451 => "Unavailable For Legal Reasons",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        505 => "HTTP Version Not Supported",
        506 => "Variant Also Negotiates",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        509 => "Bandwidth Limit Exceeded",
        510 => "Not Extended",
        511 => "Network Authentication Required",
        _ => return None,
    })
}

/// Whether a response with `status` may have a body at all (not 1xx, 204,
/// 205, 304).
pub fn allows_body(status: u16) -> bool {
    !(status < 200 || matches!(status, 204 | 205 | 304))
}

/// Whether the server may write its own diagnostic text body for a
/// status-only response: the status allows a body and is not one whose
/// body is application content (2xx, 300).
pub fn allows_meta_body(status: u16) -> bool {
    allows_body(status) && !(200..=300).contains(&status)
}

/// Whether an automatic `Cache-Control` applies to a response with
/// `status` (the statuses RFC 9111 lets caches store by default).
pub fn is_cacheable(status: u16) -> bool {
    matches!(
        status,
        200 | 203 | 204 | 206 | 300 | 301 | 304 | 308 | 404 | 405 | 410 | 414 | 501
    )
}

/// Whether the server closes an HTTP1 connection after a response with
/// `status` (server errors and 429, as the reference does).
pub fn closes_connection(status: u16) -> bool {
    status >= 500 || status == 429
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reason_phrases_follow_the_reference_table() {
        assert_eq!(reason(418), Some("I'm a Teapot"));
        assert_eq!(reason(308), Some("Permanent Redirect"));
        assert_eq!(reason(306), None);
        assert_eq!(reason(599), None);
    }

    #[test]
    fn meta_bodies_only_for_non_content_statuses() {
        for status in [301, 400, 404, 418, 429, 500] {
            assert!(allows_meta_body(status), "{status}");
        }
        for status in [100, 200, 204, 206, 300, 304] {
            assert!(!allows_meta_body(status), "{status}");
        }
    }
}
