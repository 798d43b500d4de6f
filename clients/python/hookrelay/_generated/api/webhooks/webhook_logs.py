import datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.log_page import LogPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    id: UUID,
    *,
    status: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> dict[str, Any]:
    params: dict[str, Any] = {}

    params["status"] = status

    params["event_type"] = event_type

    json_since: str | Unset = UNSET
    if not isinstance(since, Unset):
        json_since = since.isoformat()
    params["since"] = json_since

    json_until: str | Unset = UNSET
    if not isinstance(until, Unset):
        json_until = until.isoformat()
    params["until"] = json_until

    params["limit"] = limit

    params["cursor"] = cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/webhooks/{id}/logs".format(
            id=quote(str(id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | LogPage | None:
    if response.status_code == 200:
        response_200 = LogPage.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = ErrorBody.from_dict(response.json())

        return response_404

    if response.status_code == 422:
        response_422 = ErrorBody.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = ErrorBody.from_dict(response.json())

        return response_429

    if response.status_code == 503:
        response_503 = ErrorBody.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorBody | LogPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    status: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Response[ErrorBody | LogPage]:
    """A webhook's log: every attempt and test send, newest first.

    Args:
        id (UUID):
        status (str | Unset):
        event_type (str | Unset):
        since (datetime.datetime | Unset): An instant within the years 0001-9999, built only
            through [`Timestamp::parse`] or
            deserialisation (which checks the same range).
        until (datetime.datetime | Unset): An instant within the years 0001-9999, built only
            through [`Timestamp::parse`] or
            deserialisation (which checks the same range).
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | LogPage]
    """

    kwargs = _get_kwargs(
        id=id,
        status=status,
        event_type=event_type,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    id: UUID,
    *,
    client: AuthenticatedClient,
    status: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> ErrorBody | LogPage | None:
    """A webhook's log: every attempt and test send, newest first.

    Args:
        id (UUID):
        status (str | Unset):
        event_type (str | Unset):
        since (datetime.datetime | Unset): An instant within the years 0001-9999, built only
            through [`Timestamp::parse`] or
            deserialisation (which checks the same range).
        until (datetime.datetime | Unset): An instant within the years 0001-9999, built only
            through [`Timestamp::parse`] or
            deserialisation (which checks the same range).
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | LogPage
    """

    return sync_detailed(
        id=id,
        client=client,
        status=status,
        event_type=event_type,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    id: UUID,
    *,
    client: AuthenticatedClient,
    status: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Response[ErrorBody | LogPage]:
    """A webhook's log: every attempt and test send, newest first.

    Args:
        id (UUID):
        status (str | Unset):
        event_type (str | Unset):
        since (datetime.datetime | Unset): An instant within the years 0001-9999, built only
            through [`Timestamp::parse`] or
            deserialisation (which checks the same range).
        until (datetime.datetime | Unset): An instant within the years 0001-9999, built only
            through [`Timestamp::parse`] or
            deserialisation (which checks the same range).
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | LogPage]
    """

    kwargs = _get_kwargs(
        id=id,
        status=status,
        event_type=event_type,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    id: UUID,
    *,
    client: AuthenticatedClient,
    status: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> ErrorBody | LogPage | None:
    """A webhook's log: every attempt and test send, newest first.

    Args:
        id (UUID):
        status (str | Unset):
        event_type (str | Unset):
        since (datetime.datetime | Unset): An instant within the years 0001-9999, built only
            through [`Timestamp::parse`] or
            deserialisation (which checks the same range).
        until (datetime.datetime | Unset): An instant within the years 0001-9999, built only
            through [`Timestamp::parse`] or
            deserialisation (which checks the same range).
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | LogPage
    """

    return (
        await asyncio_detailed(
            id=id,
            client=client,
            status=status,
            event_type=event_type,
            since=since,
            until=until,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
