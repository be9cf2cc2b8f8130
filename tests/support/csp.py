"""Reading Content Security Policies and finding what they would refuse, for the CSP tests of
the site and of the browser."""

from bs4 import BeautifulSoup

# The policy every public page is served with in production.
PUBLIC_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "https://cdn.credly.com"],
    "script-src-attr": ["'none'"],
    "style-src": ["'self'"],
    "style-src-attr": ["'none'"],
    "img-src": ["'self'"],
    "frame-src": ["https://www.credly.com"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def policy_of(header):
    """A Content-Security-Policy header as {directive: [sources]}."""
    directives = {}
    for part in header.split(";"):
        name, *sources = part.split()
        assert name not in directives, f"{name} appears twice"
        directives[name] = sources
    return directives


def inline_code_in(html):
    """Everything on a page that a policy without 'unsafe-inline' refuses."""
    soup = BeautifulSoup(html, "html.parser")
    found = [str(tag)[:80] for tag in soup.find_all("style")]
    for script in soup.find_all("script"):
        # A data block (JSON, JSON-LD) is never run, so script-src does not apply to it.
        if not script.get("src") and "json" not in script.get("type", ""):
            found.append(str(script)[:80])
    for tag in soup.find_all(True):
        for attribute, value in tag.attrs.items():
            if attribute == "style" or attribute.startswith("on"):
                found.append(f"<{tag.name} {attribute}=…>")
            if attribute in ("href", "src", "action") and str(value).strip().lower().startswith(
                "javascript:"
            ):
                found.append(f"<{tag.name} {attribute}={value}>")
    return found
