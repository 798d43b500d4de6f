from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.webhook_page import WebhookPage
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    event: str | Unset = UNSET,
    name: str | Unset = UNSET,
    search: str | Unset = UNSET,
    enabled: bool | Unset = UNSET,
    failing: bool | Unset = UNSET,
    order: str | Unset = UNSET,
    direction: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> dict[str, Any]:
    params: dict[str, Any] = {}

    params["event"] = event

    params["name"] = name

    params["search"] = search

    params["enabled"] = enabled

    params["failing"] = failing

    params["order"] = order

    params["direction"] = direction

    params["limit"] = limit

    params["cursor"] = cursor

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/webhooks",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | WebhookPage | None:
    if response.status_code == 200:
        response_200 = WebhookPage.from_dict(response.json())

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
) -> Response[ErrorBody | WebhookPage]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    event: str | Unset = UNSET,
    name: str | Unset = UNSET,
    search: str | Unset = UNSET,
    enabled: bool | Unset = UNSET,
    failing: bool | Unset = UNSET,
    order: str | Unset = UNSET,
    direction: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Response[ErrorBody | WebhookPage]:
    """Lists webhooks, filtered, ordered and paginated.

    Args:
        event (str | Unset):
        name (str | Unset):
        search (str | Unset):
        enabled (bool | Unset):
        failing (bool | Unset):
        order (str | Unset):
        direction (str | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | WebhookPage]
    """

    kwargs = _get_kwargs(
        event=event,
        name=name,
        search=search,
        enabled=enabled,
        failing=failing,
        order=order,
        direction=direction,
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
    event: str | Unset = UNSET,
    name: str | Unset = UNSET,
    search: str | Unset = UNSET,
    enabled: bool | Unset = UNSET,
    failing: bool | Unset = UNSET,
    order: str | Unset = UNSET,
    direction: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> ErrorBody | WebhookPage | None:
    """Lists webhooks, filtered, ordered and paginated.

    Args:
        event (str | Unset):
        name (str | Unset):
        search (str | Unset):
        enabled (bool | Unset):
        failing (bool | Unset):
        order (str | Unset):
        direction (str | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | WebhookPage
    """

    return sync_detailed(
        client=client,
        event=event,
        name=name,
        search=search,
        enabled=enabled,
        failing=failing,
        order=order,
        direction=direction,
        limit=limit,
        cursor=cursor,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    event: str | Unset = UNSET,
    name: str | Unset = UNSET,
    search: str | Unset = UNSET,
    enabled: bool | Unset = UNSET,
    failing: bool | Unset = UNSET,
    order: str | Unset = UNSET,
    direction: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> Response[ErrorBody | WebhookPage]:
    """Lists webhooks, filtered, ordered and paginated.

    Args:
        event (str | Unset):
        name (str | Unset):
        search (str | Unset):
        enabled (bool | Unset):
        failing (bool | Unset):
        order (str | Unset):
        direction (str | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | WebhookPage]
    """

    kwargs = _get_kwargs(
        event=event,
        name=name,
        search=search,
        enabled=enabled,
        failing=failing,
        order=order,
        direction=direction,
        limit=limit,
        cursor=cursor,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    event: str | Unset = UNSET,
    name: str | Unset = UNSET,
    search: str | Unset = UNSET,
    enabled: bool | Unset = UNSET,
    failing: bool | Unset = UNSET,
    order: str | Unset = UNSET,
    direction: str | Unset = UNSET,
    limit: int | Unset = UNSET,
    cursor: str | Unset = UNSET,
) -> ErrorBody | WebhookPage | None:
    """Lists webhooks, filtered, ordered and paginated.

    Args:
        event (str | Unset):
        name (str | Unset):
        search (str | Unset):
        enabled (bool | Unset):
        failing (bool | Unset):
        order (str | Unset):
        direction (str | Unset):
        limit (int | Unset):
        cursor (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | WebhookPage
    """

    return (
        await asyncio_detailed(
            client=client,
            event=event,
            name=name,
            search=search,
            enabled=enabled,
            failing=failing,
            order=order,
            direction=direction,
            limit=limit,
            cursor=cursor,
        )
    ).parsed
