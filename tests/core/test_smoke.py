from sqlalchemy import func, select

from portfolio.model import BudgetLine, Client


def test_demo_fixture_has_a_book_on_every_backend(demo):
    with demo.session() as session:
        assert session.scalar(select(func.count()).select_from(Client)) == 40
        assert session.scalar(select(func.count()).select_from(BudgetLine)) > 5000
