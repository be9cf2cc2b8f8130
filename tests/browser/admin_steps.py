"""Steps in Wagtail's admin that several browser tests take, as a person takes them."""


def sign_in(page, server_url, username, password):
    """Sign in on the admin's login form, as someone else than whoever was signed in."""
    page.context.clear_cookies()
    page.goto(server_url + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server_url + "/admin/")


def open_more_actions(page):
    """The editor footer's menu of actions beside its main button (Submit, Approve...)."""
    page.locator("footer").get_by_role("button", name="More actions").click()
