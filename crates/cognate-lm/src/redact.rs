//! [`redact_url`]: hiding the credentials a URL may carry before it is printed.

use std::borrow::Cow;

/// What replaces the user-info of a URL.
const REDACTED: &str = "<redacted>";

/// `url` with its user-info (`user:password@`, which often holds an API key) replaced by
/// `<redacted>`; other URLs are returned unchanged.
///
/// Every URL this crate prints (in `Debug` output, error messages and `tracing` events) goes
/// through this function. The URL need not be valid: anything before the first `@` of the
/// authority (the part after `scheme://`, or the start of the text when there is no scheme,
/// up to the first `/`, `?` or `#`) is hidden.
///
/// ```
/// use cognate_lm::redact_url;
///
/// assert_eq!(redact_url("http://user:sk-secret@host:8000/v1"), "http://<redacted>@host:8000/v1");
/// assert_eq!(redact_url("https://api.openai.com/v1"), "https://api.openai.com/v1");
/// ```
pub fn redact_url(url: &str) -> Cow<'_, str> {
    let start = url.find("://").map_or(0, |i| i + 3);
    let rest = &url[start..];
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_len].rfind('@') {
        Some(at) => Cow::Owned(format!("{}{REDACTED}{}", &url[..start], &rest[at..])),
        None => Cow::Borrowed(url),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_info_is_hidden_everywhere_it_can_be() {
        let check = |url: &str, expected: &str| assert_eq!(redact_url(url), expected, "{url}");
        check("http://user:sk-abc@host/v1", "http://<redacted>@host/v1");
        check("http://sk-abc@host", "http://<redacted>@host");
        check("http://a:b@c@host:1/v1?x=1", "http://<redacted>@host:1/v1?x=1");
        check("user:pw@host/v1", "<redacted>@host/v1");
        check("http://:pw@[::1]:8080", "http://<redacted>@[::1]:8080");
        // An `@` after the authority is not user-info.
        check("http://host/v1/users/@me", "http://host/v1/users/@me");
        check("http://host?mail=a@b", "http://host?mail=a@b");
        check("http://host#a@b", "http://host#a@b");
        check("", "");
        check("not a url", "not a url");
        check("http://ünï:cödé@høst/v1", "http://<redacted>@høst/v1");
    }

    #[test]
    fn unchanged_urls_are_borrowed() {
        assert!(matches!(redact_url("http://127.0.0.1:8080/v1"), Cow::Borrowed(_)));
    }
}
