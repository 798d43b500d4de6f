import datetime
from http import HTTPStatus
from typing import Any
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.delivery_page import DeliveryPage
from ...models.error_body import ErrorBody
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    webhook_id: UUID | Unset = UNSET,
    event_id: UUID | Unset = UNSET,
    status: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> dict[str, Any]:
    params: dict[str, Any] = {}

    json_webhook_id: str | Unset = UNSET
    if not isinstance(webhook_id, Unset):
        json_webhook_id = str(webhook_id)
    params["webhook_id"] = json_webhook_id

    json_event_id: str | Unset = UNSET
    if not isinstance(event_id, Unset):
        json_event_id = str(event_id)
    params["event_id"] = json_event_id

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
        "url": "/v1/deliveries",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> DeliveryPage | ErrorBody | None:
    if response.status_code == 200:
        response_200 = DeliveryPage.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

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
) -> Response[DeliveryPage | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    webhook_id: UUID | Unset = UNSET,
    event_id: UUID | Unset = UNSET,
    status: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Response[DeliveryPage | ErrorBody]:
    """Lists the tenant's deliveries, newest first.

    Args:
        webhook_id (UUID | Unset):
        event_id (UUID | Unset):
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
        Response[DeliveryPage | ErrorBody]
    """

    kwargs = _get_kwargs(
        webhook_id=webhook_id,
        event_id=event_id,
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
    *,
    client: AuthenticatedClient,
    webhook_id: UUID | Unset = UNSET,
    event_id: UUID | Unset = UNSET,
    status: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> DeliveryPage | ErrorBody | None:
    """Lists the tenant's deliveries, newest first.

    Args:
        webhook_id (UUID | Unset):
        event_id (UUID | Unset):
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
        DeliveryPage | ErrorBody
    """

    return sync_detailed(
        client=client,
        webhook_id=webhook_id,
        event_id=event_id,
        status=status,
        event_type=event_type,
        since=since,
        until=until,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    webhook_id: UUID | Unset = UNSET,
    event_id: UUID | Unset = UNSET,
    status: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Response[DeliveryPage | ErrorBody]:
    """Lists the tenant's deliveries, newest first.

    Args:
        webhook_id (UUID | Unset):
        event_id (UUID | Unset):
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
        Response[DeliveryPage | ErrorBody]
    """

    kwargs = _get_kwargs(
        webhook_id=webhook_id,
        event_id=event_id,
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
    *,
    client: AuthenticatedClient,
    webhook_id: UUID | Unset = UNSET,
    event_id: UUID | Unset = UNSET,
    status: str | Unset = UNSET,
    event_type: str | Unset = UNSET,
    since: datetime.datetime | Unset = UNSET,
    until: datetime.datetime | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> DeliveryPage | ErrorBody | None:
    """Lists the tenant's deliveries, newest first.

    Args:
        webhook_id (UUID | Unset):
        event_id (UUID | Unset):
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
        DeliveryPage | ErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
            webhook_id=webhook_id,
            event_id=event_id,
            status=status,
            event_type=event_type,
            since=since,
            until=until,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
