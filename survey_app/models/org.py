"""Units (单位) of the city, shared by every survey so users can be scoped to them."""

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from survey_app.models.base import Base


class Unit(Base):
    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: Unit category (县市区, 市直经济部门 …): differentiated weights and rankings.
    category: Mapped[str] = mapped_column(String(50), default="")
