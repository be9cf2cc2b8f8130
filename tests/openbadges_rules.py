"""The required-field rules of Open Badges 2.0 and 3.0, as checks on served documents.

2.0: the class tables of the specification (BadgeClass, Profile, Image, Criteria), as the
openbadges validator enforces them for hosted badges. 3.0: the Achievement, Criteria, Image,
Profile and Related rules of the specification's JSON schema. Each check returns the list of
broken rules, so a test can show them all at once.
"""

import re
from urllib.parse import urlsplit

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
ACHIEVEMENT_TYPES = {
    "Achievement", "ApprenticeshipCertificate", "Assessment", "Assignment", "AssociateDegree",
    "Award", "Badge", "BachelorDegree", "Certificate", "CertificateOfCompletion", "Certification",
    "CommunityService", "Competency", "Course", "CoCurricular", "Degree", "Diploma",
    "DoctoralDegree", "Fieldwork", "GeneralEducationDevelopment", "JourneymanCertificate",
    "LearningProgram", "License", "Membership", "ProfessionalDoctorate",
    "QualityAssuranceCredential", "MasterCertificate", "MasterDegree", "MicroCredential",
    "ResearchDoctorate", "SecondarySchoolDiploma",
}  # fmt: skip


def is_url(value):
    parts = urlsplit(value) if isinstance(value, str) else None
    return bool(parts and parts.scheme in ("http", "https") and parts.netloc)


def as_list(value):
    return value if isinstance(value, list) else [value]


def _text(document, key, broken, where):
    if not isinstance(document.get(key), str) or not document[key].strip():
        broken.append(f"{where}.{key} is required text")


def ob2_badge_class(document):
    broken = []
    if not is_url(document.get("id")):
        broken.append("BadgeClass.id must be the document's HTTP(S) URL")
    if "BadgeClass" not in as_list(document.get("type")):
        broken.append("BadgeClass.type must contain BadgeClass")
    _text(document, "name", broken, "BadgeClass")
    _text(document, "description", broken, "BadgeClass")
    image = document.get("image")
    image_id = image.get("id") if isinstance(image, dict) else image
    if not (is_url(image_id) or str(image_id).startswith("data:")):
        broken.append("BadgeClass.image is required: an IRI or an Image with an id")
    criteria = document.get("criteria")
    if isinstance(criteria, dict):
        if not (is_url(criteria.get("id")) or criteria.get("narrative")):
            broken.append("BadgeClass.criteria needs an id or a narrative")
    elif not is_url(criteria):
        broken.append("BadgeClass.criteria is required")
    if not is_url(document.get("issuer")):
        broken.append("BadgeClass.issuer must be the URL of the issuer Profile")
    if not all(isinstance(tag, str) for tag in document.get("tags", [])):
        broken.append("BadgeClass.tags must be text")
    for alignment in as_list(document.get("alignment", [])):
        broken += alignment_rules(alignment, "BadgeClass.alignment")
    return broken


def alignment_rules(alignment, where, type_required=False):
    """2.0 AlignmentObject and 3.0 Alignment: a target name and URL; 3.0 also the type."""
    broken = []
    _text(alignment, "targetName", broken, where)
    if not is_url(alignment.get("targetUrl")):
        broken.append(f"{where}.targetUrl must be a URL")
    if type_required and "Alignment" not in as_list(alignment.get("type")):
        broken.append(f"{where}.type must contain Alignment")
    for key in ("targetDescription", "targetFramework", "targetCode"):
        if key in alignment and not isinstance(alignment[key], str):
            broken.append(f"{where}.{key} must be text")
    return broken


def ob2_profile(document):
    broken = []
    if not is_url(document.get("id")):
        broken.append("Profile.id must be the document's HTTP(S) URL")
    if not {"Issuer", "Profile"} & set(as_list(document.get("type"))):
        broken.append("Profile.type must contain Issuer or Profile")
    _text(document, "name", broken, "Profile")
    if not is_url(document.get("url")):
        broken.append("Profile.url is required for an issuer")
    if not EMAIL.match(str(document.get("email", ""))):
        broken.append("Profile.email is required for an issuer")
    return broken


def ob3_profile(profile, where):
    broken = []
    if not is_url(profile.get("id")):
        broken.append(f"{where}.id must be a URI")
    if "Profile" not in as_list(profile.get("type")):
        broken.append(f"{where}.type must contain Profile")
    return broken


def ob3_image(image, where):
    broken = []
    if not is_url(image.get("id")):
        broken.append(f"{where}.id must be a URI")
    if image.get("type") != "Image":
        broken.append(f"{where}.type must be Image")
    return broken


def ob3_achievement(document):
    broken = []
    if not is_url(document.get("id")):
        broken.append("Achievement.id must be a URI")
    if "Achievement" not in as_list(document.get("type")):
        broken.append("Achievement.type must contain Achievement")
    _text(document, "name", broken, "Achievement")
    _text(document, "description", broken, "Achievement")
    criteria = document.get("criteria")
    if not isinstance(criteria, dict) or not (criteria.get("id") or criteria.get("narrative")):
        broken.append("Achievement.criteria needs an id or a narrative")
    achievement_type = document.get("achievementType")
    if achievement_type is not None and not (
        achievement_type in ACHIEVEMENT_TYPES or str(achievement_type).startswith("ext:")
    ):
        broken.append(f"Achievement.achievementType {achievement_type!r} is not in the vocabulary")
    if "image" in document:
        broken += ob3_image(document["image"], "Achievement.image")
    if "creator" in document:
        broken += ob3_profile(document["creator"], "Achievement.creator")
    for related in document.get("related", []):
        if not is_url(related.get("id")) or "Related" not in as_list(related.get("type")):
            broken.append("Achievement.related entries need an id and the type Related")
    if not all(isinstance(tag, str) for tag in document.get("tag", [])):
        broken.append("Achievement.tag must be text")
    for alignment in document.get("alignment", []):
        broken += alignment_rules(alignment, "Achievement.alignment", type_required=True)
    return broken
