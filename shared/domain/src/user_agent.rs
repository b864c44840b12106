//! The browser and operating system a `User-Agent` names, as a person would say them ("Firefox
//! on Windows"), for the list of their sessions and the notice of a new sign-in.
//!
//! Written here rather than taken from a user-agent library: those (uap-core's regular
//! expressions, woothee) identify thousands of devices and bots with a regex engine the functions
//! would carry; a person recognising their own session needs only the family of a handful of
//! browsers and systems, found by the tokens each puts in its user agent. Order matters: every
//! Chromium browser also says `Chrome/` and `Safari/`, every browser on iOS says `Mac OS X`.

/// Longest user agent kept (the header has no limit of its own).
pub const MAX_USER_AGENT_CHARS: usize = 512;

/// Browsers by the token that names them, most specific first.
const BROWSERS: &[(&str, &str)] = &[
    ("Edg", "Microsoft Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Version/", "Safari"),
];

/// Operating systems by the token that names them, most specific first.
const SYSTEMS: &[(&str, &str)] = &[
    ("Windows", "Windows"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
];

/// What a user agent says of itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Device {
    /// The browser's family, if recognised.
    pub browser: Option<&'static str>,
    /// The operating system, if recognised.
    pub os: Option<&'static str>,
}

impl Device {
    /// The browser and system of a `User-Agent` value.
    pub fn of(user_agent: &str) -> Self {
        let first = |table: &[(&str, &'static str)]| {
            table.iter().find(|(token, _)| user_agent.contains(token)).map(|(_, name)| *name)
        };
        // Safari's `Version/` is only Safari's when the engine says Safari too.
        let browser = first(BROWSERS).filter(|name| *name != "Safari" || user_agent.contains("Safari/"));
        Self { browser, os: first(SYSTEMS) }
    }

    /// "Firefox on Windows", in the words of `on` ("on", "sur"); "unknown" parts as given.
    pub fn describe(&self, on: &str, unknown_browser: &str, unknown_os: &str) -> String {
        format!("{} {on} {}", self.browser.unwrap_or(unknown_browser), self.os.unwrap_or(unknown_os))
    }
}

/// A user agent as kept: control characters dropped, at most [`MAX_USER_AGENT_CHARS`].
pub fn kept(user_agent: &str) -> String {
    user_agent.chars().filter(|c| !c.is_control()).take(MAX_USER_AGENT_CHARS).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(user_agent: &str) -> (Option<&'static str>, Option<&'static str>) {
        let device = Device::of(user_agent);
        (device.browser, device.os)
    }

    #[test]
    fn the_common_browsers_are_named_with_their_system() {
        let cases = [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
                ("Microsoft Edge", "Windows"),
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
                ("Firefox", "Windows"),
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                 Version/18.1 Safari/605.1.15",
                ("Safari", "macOS"),
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                 Version/18.1 Mobile/15E148 Safari/604.1",
                ("Safari", "iOS"),
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                 CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
                ("Chrome", "iOS"),
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) \
                 SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
                ("Samsung Internet", "Android"),
            ),
            (
                "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 \
                 Safari/537.36",
                ("Chrome", "Linux"),
            ),
            (
                "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) \
                 Chrome/131.0.0.0 Safari/537.36 OPR/115.0.0.0",
                ("Opera", "ChromeOS"),
            ),
        ];
        for (user_agent, (browser, os)) in cases {
            assert_eq!(device(user_agent), (Some(browser), Some(os)), "{user_agent}");
        }
    }

    #[test]
    fn what_is_not_recognised_is_said_so() {
        assert_eq!(device("curl/8.5.0"), (None, None));
        assert_eq!(device(""), (None, None));
        assert_eq!(device("Version/1.0 (Linux)"), (None, Some("Linux")), "Version/ alone is not Safari");
        let described = Device::of("curl/8.5.0").describe("on", "an unknown browser", "an unknown system");
        assert_eq!(described, "an unknown browser on an unknown system");
    }

    #[test]
    fn a_kept_user_agent_is_bounded_and_printable() {
        assert_eq!(kept("Firefox\u{0}/1\n"), "Firefox/1");
        assert_eq!(kept(&"x".repeat(2000)).chars().count(), MAX_USER_AGENT_CHARS);
    }
}
