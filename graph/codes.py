"""Enum codes that code names (the generator writes them, analyses test for them), each
checked against :mod:`graph.model` at import.

Why a class per choice set: a renamed or dropped code in the model must stop the
program at import, not surface as a ledger the importer rejects (or, worse, accepts
under an old meaning), or as an indicator that silently counts nothing.  Each subclass
names the model's choice set it draws from, and :class:`Codes` checks every upper-case
attribute against it when the class is created.
"""

from __future__ import annotations

from typing import Any

from graph import model
from graph.model import Choice


class Codes:
    """Base of the code groups below; ``of=`` names the model's choices they must be in."""

    def __init_subclass__(cls, of: tuple[Choice, ...], **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        allowed = {c.code for c in of}
        for name, value in vars(cls).items():
            if name.isupper() and value not in allowed:
                raise ValueError(f"{cls.__name__}.{name} = {value!r} is not a code of the "
                                 f"model's choices {sorted(allowed)}")


class CommunityKind(Codes, of=model.COMMUNITY_KINDS):
    RESIDENTIAL = "residential"
    URBAN_VILLAGE = "urban_village"
    TRANSITIONAL = "transitional"
    INDUSTRIAL_PARK = "industrial_park"
    INTERNATIONAL = "international"


class Mode(Codes, of=model.PROPERTY_MODES):
    MARKET = "market"
    PARTY_LED = "party_led"
    CUSTODY = "custody"
    SELF_MANAGED = "self_managed"
    NONE = "none"


class OrgKind(Codes, of=model.PARTY_ORG_KINDS):
    STREET_WORKING_COMMITTEE = "street_working_committee"
    COMMUNITY_PARTY_COMMITTEE = "community_party_committee"
    COMPOUND_BRANCH = "compound_branch"
    GRID_BRANCH = "grid_branch"
    BUILDING_GROUP = "building_group"
    UNIT_ORG = "unit_org"
    PROPERTY_INDUSTRY_COMMITTEE = "property_industry_committee"
    ASSOCIATION_BRANCH = "association_branch"
    PROPERTY_FIRM_BRANCH = "property_firm_branch"
    JOINT_BRANCH = "joint_branch"
    NEW_EMPLOYMENT_BRANCH = "new_employment_branch"
    MOBILE_MEMBER_BRANCH = "mobile_member_branch"
    BUSINESS_DISTRICT_COMMITTEE = "business_district_committee"


class UnitKind(Codes, of=model.UNIT_KINDS):
    GOVERNMENT_ORGAN = "government_organ"
    PUBLIC_INSTITUTION = "public_institution"
    STATE_ENTERPRISE = "state_enterprise"
    PRIVATE_ENTERPRISE = "private_enterprise"
    SCHOOL = "school"
    HOSPITAL = "hospital"
    POLICE_STATION = "police_station"
    OTHER = "other"


class FirmKind(Codes, of=model.FIRM_KINDS):
    MARKET = "market"
    PARTY_LED = "party_led"
    VILLAGE = "village"
    STATE_CUSTODIAN = "state_custodian"


class ListStatus(Codes, of=model.LIST_STATUSES):
    NONE = "none"
    RED = "red"
    BLACK = "black"


class CommitteeKind(Codes, of=model.COMMITTEE_KINDS):
    OWNERS_COMMITTEE = "owners_committee"
    MANAGEMENT_COMMITTEE = "management_committee"


class SiteKind(Codes, of=model.SITE_KINDS):
    PARTY_SERVICE_CENTER = "party_service_center"
    RED_STATION = "red_station"
    COMPOUND_STATION = "compound_station"
    NEIGHBOURHOOD_CENTER = "neighbourhood_center"
    SELF_SERVICE_TERMINAL = "self_service_terminal"


class Status(Codes, of=model.MEMBER_STATUSES):
    """A party member's status (在职, 离退休, 流动, 学生)."""

    IN_SERVICE = "in_service"
    RETIRED = "retired"
    MOBILE = "mobile"
    STUDENT = "student"


class Gender(Codes, of=model.GENDERS):
    MALE = "male"
    FEMALE = "female"


class ProjectStatus(Codes, of=model.PROJECT_STATUSES):
    PLANNED = "planned"
    ACTIVE = "active"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class Category(Codes, of=model.CATEGORIES):
    ELDER_CARE = "elder_care"
    CHILD_CARE = "child_care"
    MEDICAL = "medical"
    LEGAL = "legal"
    EMPLOYMENT = "employment"
    REPAIR = "repair"
    ENVIRONMENT = "environment"
    SAFETY = "safety"
    CULTURE = "culture"
    DISABILITY = "disability"


class DemandStatus(Codes, of=model.DEMAND_STATUSES):
    OPEN = "open"
    DISPATCHED = "dispatched"
    ACCEPTED = "accepted"
    DONE = "done"
    REVIEWED = "reviewed"


class Role(Codes, of=model.POST_ROLES):
    SECRETARY = "secretary"
    DEPUTY_SECRETARY = "deputy_secretary"
    COMMITTEE_MEMBER = "committee_member"
    PART_TIME_COMMITTEE_MEMBER = "part_time_committee_member"
    FIRST_SECRETARY = "first_secretary"
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    OWNERS_COMMITTEE_MEMBER = "owners_committee_member"
    SUPERVISOR = "supervisor"
    PROJECT_MANAGER = "project_manager"
    GRID_WORKER = "grid_worker"
    BUILDING_HEAD = "building_head"
    RED_NEIGHBOUR_HEAD = "red_neighbour_head"
    LIAISON_LEADER = "liaison_leader"
    COMMUNITY_WORKER = "community_worker"
