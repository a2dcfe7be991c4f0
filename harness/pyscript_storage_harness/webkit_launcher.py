#!/usr/bin/python3
"""A WebKitGTK browser for WebKitWebDriver, with a persistent profile.

MiniBrowser in --automation mode keeps website data in memory only, so
IndexedDB would not survive a browser restart. WebKitWebDriver can start any
binary that implements WebKitGTK's automation hooks; this one keeps its data
under ``--profile DIR`` and can cap an origin's quota with
``--origin-storage-ratio``. It runs on Debian's /usr/bin/python3 (python3-gi,
gir1.2-webkit2-4.1), not in the project's virtualenv.
"""

import argparse
import os

import gi

gi.require_version("Gtk", "3.0")
gi.require_version("WebKit2", "4.1")
from gi.repository import Gtk, WebKit2  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--automation", action="store_true", help="allow WebDriver control")
    parser.add_argument("--profile", required=True, help="folder that keeps website data")
    parser.add_argument("--origin-storage-ratio", type=float, default=None)
    parser.add_argument("--version", action="store_true", help="print WebKitGTK's version")
    args, _ = parser.parse_known_args()
    if args.version:
        print(
            f"WebKitGTK {WebKit2.get_major_version()}.{WebKit2.get_minor_version()}"
            f".{WebKit2.get_micro_version()}"
        )
        return

    options = {
        "base_data_directory": os.path.join(args.profile, "data"),
        "base_cache_directory": os.path.join(args.profile, "cache"),
    }
    if args.origin_storage_ratio is not None:
        options["origin_storage_ratio"] = args.origin_storage_ratio
    manager = WebKit2.WebsiteDataManager(**options)
    context = WebKit2.WebContext.new_with_website_data_manager(manager)
    context.set_automation_allowed(args.automation)
    windows = []

    def create_web_view(_session):
        view = WebKit2.WebView(web_context=context, is_controlled_by_automation=True)
        # No back-forward cache, as in Playwright's Chromium (--disable-back-forward-cache): a
        # page navigated away from is unloaded. Kept, a page frozen mid-transaction holds its
        # IndexedDB transaction, and every later page of the origin waits on it for good.
        view.get_settings().set_enable_page_cache(False)
        window = Gtk.Window()
        window.set_default_size(1024, 768)
        window.add(view)
        window.show_all()
        windows.append(window)
        return view

    def automation_started(_context, session):
        info = WebKit2.ApplicationInfo()
        info.set_name("MiniBrowser")  # the browserName Selenium's WebKitGTK options ask for
        info.set_version(
            WebKit2.get_major_version(), WebKit2.get_minor_version(), WebKit2.get_micro_version()
        )
        session.set_application_info(info)
        session.connect("create-web-view", create_web_view)

    context.connect("automation-started", automation_started)
    Gtk.main()


if __name__ == "__main__":
    main()
