"""Staff pages in the browser tests: a context on a desk screen or a phone, and signing in."""

DESK = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 375, "height": 812}, "is_mobile": True, "has_touch": True}


def open_page(browser, phone: bool = False):
    """A new context (Chinese, a desk screen or a 375 px phone) and its page."""
    context = browser.new_context(locale="zh-CN", **(PHONE if phone else DESK))
    page = context.new_page()
    page.set_default_timeout(10_000)
    return context, page


def sign_in(page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/auth/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button.primary")
    page.wait_for_load_state()
