"""A console user's saved filters, per page: listed, saved by name (overwriting), deleted."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status
from pydantic import BaseModel, Field, StringConstraints

from huifang.web.deps import CsrfUserDep, SessionDep, UserDep
from storage.saved_filters import (
    SavedFilter,
    TooManyFiltersError,
    delete_filter,
    save_filter,
    saved_filters,
)

router = APIRouter(prefix="/api/me/filters", tags=["saved filters"])
# A page's key (review, cases …) and the name a person gives a filter (no control characters).
PageKey = Annotated[str, Field(pattern=r"^[a-z_]{1,32}$")]
# Stripped before it is checked: a name of spaces alone (" ", "\u3000") is no name (422, not a
# filter saved under "" that the listing then cannot return).
FilterName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50,
                                              pattern=r"^[^\x00-\x1f\x7f]+$")]
# The page's own query string, as the page builds it (key=value&…, no fragment, no controls).
FilterQuery = Annotated[str, Field(max_length=1000, pattern=r"^[^\x00-\x1f\x7f#]*$")]


class FilterIn(BaseModel):
    """A filter to save under a name on a page."""

    page: PageKey
    name: FilterName
    query: FilterQuery


class FilterOut(FilterIn):
    """A saved filter."""

    id: int


@router.get("", responses={401: {}})
def list_filters(
    session: SessionDep, user: UserDep,
    page: Annotated[str, Query(pattern=r"^[a-z_]{1,32}$")],
) -> list[FilterOut]:  # fmt: skip
    """The signed-in user's saved filters on the page, by name."""
    return [_out(saved) for saved in saved_filters(session, user.user_id, page)]


@router.put("", responses={401: {}, 403: {}, 409: {}})
def put_filter(body: FilterIn, session: SessionDep, user: CsrfUserDep) -> FilterOut:
    """Save the filter under its name (a filter of that name on the page is overwritten)."""
    try:
        saved = save_filter(session, user.user_id, body.page, body.name, body.query)
    except TooManyFiltersError as err:
        raise HTTPException(status.HTTP_409_CONFLICT, str(err)) from err
    return _out(saved)


@router.delete("/{filter_id}", status_code=status.HTTP_204_NO_CONTENT,
               responses={401: {}, 403: {}, 404: {}})  # fmt: skip
def remove_filter(
    filter_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep, user: CsrfUserDep
) -> None:
    """Delete one of the user's saved filters."""
    if not delete_filter(session, user.user_id, filter_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such saved filter")


def _out(saved: SavedFilter) -> FilterOut:
    return FilterOut(id=saved.id, page=saved.page, name=saved.name, query=saved.query)
