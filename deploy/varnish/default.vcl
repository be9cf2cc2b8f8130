#
# Varnish in front of the site's gunicorn servers (Varnish 7.x, VCL 4.1).
#
# What is cached is what the application says may be shared: Cache-Control: public with an
# s-maxage (badges_cms/http_cache/headers.py). Every change is purged through
# wagtail.contrib.frontend_cache, whose HTTP backend sends "PURGE <path>" here with the page's
# "Host: <hostname>[:<port>]". A purge drops that path on that host with every query string
# (an index's ?page=2 and ?issuer=x variants); "BAN" with "X-Ban-Prefix: /path/" drops every
# path under a prefix on the host ("/" for all of it).
#
# The deployment's own part, backends.vcl, found on vcl_path (varnishd -p vcl_path=DIR:...),
# must define:
#   - the backend(s): a single `backend app`, or several and a director chosen in vcl_recv
#     (deploy/varnish/backends.vcl.example shows both);
#   - `acl purgers`: the addresses allowed to PURGE and BAN (localhost, and every app server
#     whose processes publish pages).
#
# Diagnostics: every response says X-Cache: HIT, MISS or PASS (not stored: passed, or the
# application said it was not to be shared).

vcl 4.1;

import std;

include "backends.vcl";

sub vcl_recv {
    # Where PURGE and BAN come from is checked first, before anything below rewrites the
    # request.
    if (req.method == "PURGE" || req.method == "BAN") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
    }

    call normalise_host;

    if (req.method == "PURGE") {
        call purge_path;
    }
    if (req.method == "BAN") {
        call ban_prefix;
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }

    # A session (a logged-in editor, a password a visitor typed, flash messages) or a CSRF
    # token means the answer may be personal: straight to the application, cookies and all.
    if (req.http.Cookie ~ "(^|;)\s*(sessionid|csrftoken|messages)=") {
        return (pass);
    }
    # Every other cookie (analytics and the like) means nothing to the application; without
    # them everyone shares one copy.
    unset req.http.Cookie;

    if (req.http.Authorization) {
        return (pass);
    }
    # The admins are for staff only; search results must be fresh (the index is updated by
    # a background task).
    if (req.url ~ "^/(admin|django-admin)(/|$)" || req.url ~ "[?&]q=[^&]") {
        return (pass);
    }

    call normalise_url;
    call normalise_headers;
    return (hash);
}

# Host: lower case, without the port a client may have added (":80", ":443", a different
# case or port must not make a new copy, nor miss a purge). When Varnish itself listens on
# another port (a local stack, the tests) and the client named a port, the port Varnish was
# reached on is put back, so the absolute addresses the application builds from Host (feeds,
# Open Badges ids) keep working; behind a proxy or CDN the Host carries no port.
sub normalise_host {
    if (!req.http.Host) {
        if (req.proto ~ "(?i)^HTTP/1\.1") {
            return (synth(400, "Host required"));
        }
    } else if (req.http.Host ~ ":[0-9]*$" && std.port(server.ip) != 80
               && std.port(server.ip) != 443 && std.port(server.ip) != 0) {
        set req.http.Host = std.tolower(regsub(req.http.Host, ":[0-9]*$", ""))
            + ":" + std.port(server.ip);
    } else {
        set req.http.Host = std.tolower(regsub(req.http.Host, ":[0-9]*$", ""));
    }
}

# The copy of an address: path and query, host (as normalised above) and scheme.
sub vcl_hash {
    hash_data(req.url);
    hash_data(req.http.Host);
    # Behind TLS the application answers differently (https:// addresses); a plain http
    # request may be a redirect to https.
    hash_data(req.http.X-Forwarded-Proto);
    return (lookup);
}

# Tracking parameters say where a visitor came from, nothing the page depends on: removed, and
# the rest of the query sorted, so they share the page's copy.
sub normalise_url {
    if (req.url ~ "[?&](utm_[^=&]*|fbclid|gclid|msclkid|mc_cid|mc_eid)(=|&|$)") {
        set req.url = regsuball(
            req.url,
            "(?<=[?&])(utm_[^=&]*|fbclid|gclid|msclkid|mc_cid|mc_eid)(=[^&]*)?(&|$)",
            "");
    }
    set req.url = std.querysort(req.url);
    # Nothing left after "?", or a trailing "&", is the same address without it.
    set req.url = regsub(req.url, "[?&]+$", "");
}

sub normalise_headers {
    # Only the HTTPS flag of a proxy in front is believed, and only as "https".
    if (req.http.X-Forwarded-Proto != "https") {
        unset req.http.X-Forwarded-Proto;
    }
    # Browsers send long Accept headers that differ by brand and version; to the application
    # (HTML, or JSON-LD for a client that asks for it) they all mean "HTML". Collapsed so
    # that Vary: Accept keeps one copy for all of them, not one per browser.
    if (req.http.Accept ~ "text/html" && req.http.Accept !~ "json") {
        set req.http.Accept = "text/html";
    }
}

# PURGE <path>: a ban on this host and this path, whatever the query string. Bans test only
# the object's own headers (X-Url-Host, X-Url-Path, set below), so the ban lurker retires
# matching objects in the background as well as at lookup.
sub purge_path {
    if (req.url !~ "^/" || req.url ~ "[\s\x22\\]") {
        return (synth(400, "Bad path"));
    }
    if (!std.ban("obj.http.X-Url-Host == " + regsub(req.http.Host, ":[0-9]*$", "")
                 + " && obj.http.X-Url-Path == " + regsub(req.url, "\?.*$", ""))) {
        return (synth(400, std.ban_error()));
    }
    return (synth(200, "Purged"));
}

# BAN with X-Ban-Prefix: /some/path/ drops every path under the prefix on this host.
sub ban_prefix {
    if (req.http.X-Ban-Prefix !~ "^/[A-Za-z0-9/._~%-]*$") {
        return (synth(400, "X-Ban-Prefix must be a path"));
    }
    # A regular expression anchored at the start, dots taken literally.
    if (!std.ban("obj.http.X-Url-Host == " + regsub(req.http.Host, ":[0-9]*$", "")
                 + " && obj.http.X-Url-Path ~ ^" + regsuball(req.http.X-Ban-Prefix, "\.", "[.]"))) {
        return (synth(400, std.ban_error()));
    }
    return (synth(200, "Banned"));
}

sub vcl_hit {
    set req.http.X-Cache = "HIT";
}

sub vcl_miss {
    set req.http.X-Cache = "MISS";
}

sub vcl_pass {
    set req.http.X-Cache = "PASS";
}

sub vcl_backend_response {
    # What purges and bans match on, kept with the object (removed before delivery).
    set beresp.http.X-Url-Host = regsub(bereq.http.Host, ":[0-9]*$", "");
    set beresp.http.X-Url-Path = regsub(bereq.url, "\?.*$", "");

    if (bereq.uncacheable) {
        return (deliver);
    }
    # Never stored: anything that sets a cookie or that the application keeps to one visitor
    # (or to no one). Remembered as "hit-for-miss" for a while, so requests for it go
    # straight to the application, and a later shareable answer is stored again.
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(?i)(^|[\s,])(private|no-store|no-cache)([\s,=]|$)"
        || beresp.http.Vary == "*"
        || beresp.ttl <= 0s) {
        set beresp.uncacheable = true;
        set beresp.ttl = 120s;
        return (deliver);
    }
    # beresp.ttl is the response's s-maxage (else max-age). While a new copy is fetched after
    # it runs out, or while the application is down, the old one may be served for an hour.
    set beresp.grace = 1h;
    # Pages and documents are stored compressed (Varnish unzips them for the rare client that
    # cannot take gzip); static files come compressed from WhiteNoise already.
    if (!beresp.http.Content-Encoding && beresp.http.Content-Type ~
        "^(text/|application/(ld\+json|json|atom\+xml|rss\+xml|xml|javascript)|image/svg)") {
        set beresp.do_gzip = true;
    }
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.X-Url-Host;
    unset resp.http.X-Url-Path;
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } else if (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
        # Purges keep the copy as current as the application's own answer, so to a browser
        # it is new: it may keep it for the whole max-age.
        set resp.http.Age = "0";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}

sub vcl_synth {
    set resp.http.X-Cache = "PASS";
}
