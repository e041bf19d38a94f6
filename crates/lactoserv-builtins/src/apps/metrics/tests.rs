//! Tests of the exposition: both formats, read back by a parser of the
//! format.

use http::HeaderValue;

use super::expose::Format;

#[test]
fn the_format_follows_accept() {
    assert_eq!(Format::asked(None), Format::Prometheus);
    let prometheus = HeaderValue::from_static(
        "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
    );
    assert_eq!(Format::asked(Some(&prometheus)), Format::OpenMetrics);
    let curl = HeaderValue::from_static("*/*");
    assert_eq!(Format::asked(Some(&curl)), Format::Prometheus);
}
