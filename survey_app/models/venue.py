"""Venue networks (现场测评会场网络): a hall's shared address during an on-site vote.

At an on-site evaluation the whole hall reaches the server from one NAT address, so the
per-address limits on failed code entries (blueprints/code_guard.py) would let one
attendee make everyone else wait. Organizers declare the hall's network and the time of
the meeting; inside that window the address is never made to wait (its failures are
counted for the staff in the room instead). A row describes the hall, never a respondent:
no respondent's address is stored anywhere.
"""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.models.base import Base, utcnow


class VenueNetwork(Base):
    __tablename__ = "venue_networks"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    #: What staff call the hall ("三楼会议室").
    label: Mapped[str] = mapped_column(String(100))
    #: The hall's network, normalised ("203.0.113.0/24", "2001:db8:1::/48"; one address is /32 or /128).
    network: Mapped[str] = mapped_column(String(64))
    #: The meeting's window, UTC: at most 24 hours.
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime] = mapped_column(index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
