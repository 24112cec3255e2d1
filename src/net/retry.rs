//! GDAL's retry policy for HTTP requests (`CPLHTTPRetryParameters` and
//! `CPLHTTPRetryContext`): which failures are retried, how many times, and
//! how long to wait in between.

use super::options::HttpOptions;

/// `GDAL_HTTP_MAX_RETRY`, `GDAL_HTTP_RETRY_DELAY`, `GDAL_HTTP_RETRY_CODES`
/// (or their per-file overrides).
#[derive(Debug, Clone, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; 0 (GDAL's default) never retries.
    pub max_retry: u32,
    /// Seconds before the first retry; later waits grow about 2.25× each.
    pub initial_delay: f64,
    /// `ALL`, or a list whose text contains each retried status code; `None`
    /// retries GDAL's default set (429, 500, 502, 503, 504 and timeouts).
    pub codes: Option<String>,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy { max_retry: 0, initial_delay: 30.0, codes: None }
    }
}

impl RetryPolicy {
    /// The policy in a set of HTTP options (keys MAX_RETRY, RETRY_DELAY,
    /// RETRY_CODES), with GDAL's defaults for what is missing.
    pub fn from_options(options: &HttpOptions) -> RetryPolicy {
        let mut p = RetryPolicy::default();
        if let Some(v) = options.get("MAX_RETRY") {
            p.max_retry = atoi(v).max(0) as u32;
        }
        if let Some(v) = options.get("RETRY_DELAY") {
            p.initial_delay = atof(v).max(0.0);
        }
        p.codes = options.get("RETRY_CODES").map(str::to_string);
        p
    }

    /// A fresh context: each request (or each merged range of a multi-range
    /// read) counts its own retries.
    pub fn context(&self) -> RetryContext {
        RetryContext { policy: self.clone(), retries: 0, delay: self.initial_delay }
    }
}

/// The retry state of one request.
#[derive(Debug, Clone)]
pub struct RetryContext {
    policy: RetryPolicy,
    retries: u32,
    delay: f64,
}

impl RetryContext {
    /// True when the failure (`status` 0 for a transport error; `text` the
    /// response body or headers; `curl_error` curl's message) may be
    /// retried, counting the retry. [`RetryContext::delay`] then gives the
    /// wait before it.
    pub fn can_retry(&mut self, status: u32, text: &[u8], curl_error: &str) -> bool {
        if self.retries >= self.policy.max_retry || !is_retryable(status, text, curl_error, self.policy.codes.as_deref())
        {
            return false;
        }
        self.bump();
        true
    }

    /// Counts a retry decided by the caller (401 answered by re-authenticating),
    /// within the same budget.
    pub fn can_retry_unconditionally(&mut self) -> bool {
        if self.retries >= self.policy.max_retry {
            return false;
        }
        self.bump();
        true
    }

    fn bump(&mut self) {
        self.retries += 1;
        if self.retries > 1 {
            // Each later wait is 2 to 2.5 times the previous one.
            self.delay *= 2.0 + 0.5 * jitter();
        }
    }

    /// Seconds to wait before the retry just granted.
    pub fn delay(&self) -> f64 {
        self.delay
    }

    /// Retries granted so far.
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// Sleeps for the current delay.
    pub fn sleep(&self) {
        if self.delay > 0.0 {
            std::thread::sleep(std::time::Duration::from_secs_f64(self.delay));
        }
    }
}

/// GDAL's decision, without the retry budget.
pub fn is_retryable(status: u32, text: &[u8], curl_error: &str, codes: Option<&str>) -> bool {
    let success = (200..300).contains(&status);
    match codes {
        Some(list) if list.eq_ignore_ascii_case("ALL") => return !success,
        // GDAL looks the code up as a substring of the list: "4000" matches 400.
        Some(list) if status != 0 && list.contains(&status.to_string()) => return true,
        _ => {}
    }
    if matches!(status, 429 | 500 | 502 | 503 | 504) {
        return true;
    }
    if status == 400 && contains(text, b"RequestTimeout") {
        return true;
    }
    [
        "Connection timed out",
        "Operation timed out",
        "Connection reset by peer",
        "Connection was reset",
        "SSL connection timeout",
    ]
    .iter()
    .any(|s| curl_error.contains(s))
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// A number in [0, 1) for the backoff jitter.
fn jitter() -> f64 {
    let mut b = [0u8; 4];
    if getrandom::fill(&mut b).is_err() {
        return 0.5;
    }
    u32::from_le_bytes(b) as f64 / (u32::MAX as f64 + 1.0)
}

/// C's `atoi`: leading blanks, optional sign, digits; 0 when none.
pub(crate) fn atoi(s: &str) -> i64 {
    let t = s.trim_start();
    let (neg, rest) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let v = digits.parse::<i64>().unwrap_or(if digits.is_empty() { 0 } else { i64::MAX });
    if neg {
        -v
    } else {
        v
    }
}

/// C's `atof` on the longest numeric prefix; 0 when none.
pub(crate) fn atof(s: &str) -> f64 {
    let t = s.trim_start();
    let mut end = 0;
    for i in (1..=t.len()).rev() {
        if t.is_char_boundary(i) && t[..i].parse::<f64>().is_ok() {
            end = i;
            break;
        }
    }
    t[..end].parse().unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_codes_are_gdal_transient_errors() {
        for code in [429, 500, 502, 503, 504] {
            assert!(is_retryable(code, b"", "", None), "{code}");
        }
        for code in [0, 200, 206, 301, 400, 401, 403, 404, 416, 501] {
            assert!(!is_retryable(code, b"", "", None), "{code}");
        }
        assert!(is_retryable(400, b"<Code>RequestTimeout</Code>", "", None));
        assert!(is_retryable(0, b"", "Recv failure: Connection reset by peer", None));
        assert!(is_retryable(0, b"", "Operation timed out after 1000 milliseconds", None));
        assert!(!is_retryable(0, b"", "Empty reply from server", None));
    }

    #[test]
    fn retry_codes_list_is_matched_as_text_like_gdal() {
        assert!(is_retryable(400, b"", "", Some("4000")), "GDAL looks codes up as substrings");
        assert!(is_retryable(404, b"", "", Some("404,418")));
        assert!(!is_retryable(418, b"", "", Some("404")));
        assert!(is_retryable(503, b"", "", Some("404")), "the default set still applies");
        assert!(is_retryable(404, b"", "", Some("ALL")));
        assert!(!is_retryable(206, b"", "", Some("ALL")));
    }

    #[test]
    fn budget_and_backoff() {
        let policy = RetryPolicy { max_retry: 3, initial_delay: 1.0, codes: None };
        let mut ctx = policy.context();
        assert!(ctx.can_retry(503, b"", ""));
        assert_eq!(ctx.delay(), 1.0);
        assert!(ctx.can_retry(503, b"", ""));
        assert!((2.0..=2.5).contains(&ctx.delay()), "{}", ctx.delay());
        let second = ctx.delay();
        assert!(ctx.can_retry(503, b"", ""));
        assert!((second * 2.0..=second * 2.5).contains(&ctx.delay()));
        assert!(!ctx.can_retry(503, b"", ""), "budget exhausted");
        assert!(!RetryPolicy::default().context().can_retry(503, b"", ""), "GDAL does not retry by default");
    }

    #[test]
    fn policy_from_options() {
        let mut o = HttpOptions::default();
        o.set("MAX_RETRY", "2");
        o.set("RETRY_DELAY", "0.5s");
        o.set("RETRY_CODES", "ALL");
        let p = RetryPolicy::from_options(&o);
        assert_eq!(p, RetryPolicy { max_retry: 2, initial_delay: 0.5, codes: Some("ALL".into()) });
        assert_eq!(atoi(" 12abc"), 12);
        assert_eq!(atoi("-3"), -3);
        assert_eq!(atoi("x"), 0);
        assert_eq!(atof("1e2x"), 100.0);
    }
}
