"""The schema as typed SQLAlchemy models; importing this package registers every table."""

from portfolio.model.base import Base
from portfolio.model.campaigns import BudgetLine, Campaign, CampaignDrop, MakeupAction
from portfolio.model.clients import Client, Contact
from portfolio.model.deadlines import Deadline, MaterialItem
from portfolio.model.journal import JournalChange, JournalEntry
from portfolio.model.meetings import Meeting
from portfolio.model.offline import OfflineCopy, OfflinePending
from portfolio.model.pipeline import Opportunity
from portfolio.model.reference import Currency, FxRate, Setting, SlaPolicy
from portfolio.model.service import ClientRequest, Feedback
from portfolio.model.team import SalesObjective, TeamMember
from portfolio.model.totals import MonthTotal

__all__ = [
    "Base",
    "BudgetLine",
    "Campaign",
    "CampaignDrop",
    "Client",
    "ClientRequest",
    "Contact",
    "Currency",
    "Deadline",
    "Feedback",
    "FxRate",
    "JournalChange",
    "JournalEntry",
    "MakeupAction",
    "MaterialItem",
    "Meeting",
    "MonthTotal",
    "OfflineCopy",
    "OfflinePending",
    "Opportunity",
    "SalesObjective",
    "Setting",
    "SlaPolicy",
    "TeamMember",
]
