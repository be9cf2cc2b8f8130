/*
 * Copy-link button for badge pages (badges_cms/includes/share.html).
 *
 * Progressive enhancement: without JavaScript the page shows the link in a read-only field to
 * copy by hand, and the button stays hidden. Loaded as a file (never inline) so that the pages
 * work under a Content Security Policy without 'unsafe-inline'; it sets no inline styles.
 */
(function () {
    "use strict";

    function setStatus(section, text) {
        var status = section.querySelector("[data-share-copy-status]");
        if (status) {
            status.textContent = text;
        }
    }

    function copyWithSelection(field) {
        // Older browsers, and pages not served over https, have no asynchronous clipboard.
        field.focus();
        field.select();
        try {
            return document.execCommand("copy");
        } catch (error) {
            return false;
        }
    }

    function enhance(button) {
        var section = button.closest(".share__copy");
        var field = section && section.querySelector("[data-share-copy-source]");
        if (!field) {
            return;
        }
        button.hidden = false;
        button.addEventListener("click", function () {
            var copied = button.getAttribute("data-copied-text");
            var failed = button.getAttribute("data-failed-text");
            if (navigator.clipboard && window.isSecureContext) {
                navigator.clipboard.writeText(field.value).then(
                    function () { setStatus(section, copied); },
                    function () { setStatus(section, copyWithSelection(field) ? copied : failed); }
                );
            } else {
                setStatus(section, copyWithSelection(field) ? copied : failed);
            }
        });
        field.addEventListener("focus", function () { field.select(); });
    }

    function init() {
        var buttons = document.querySelectorAll("[data-share-copy]");
        for (var i = 0; i < buttons.length; i += 1) {
            enhance(buttons[i]);
        }
    }

    if (document.readyState === "loading") {
        document.addEventListener("DOMContentLoaded", init);
    } else {
        init();
    }
}());
