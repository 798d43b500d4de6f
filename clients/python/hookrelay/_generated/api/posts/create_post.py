from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.create_post_request import CreatePostRequest
from ...models.error_body import ErrorBody
from ...models.post_response import PostResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: CreatePostRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/posts",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorBody | PostResponse | None:
    if response.status_code == 201:
        response_201 = PostResponse.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = ErrorBody.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorBody.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorBody.from_dict(response.json())

        return response_403

    if response.status_code == 408:
        response_408 = ErrorBody.from_dict(response.json())

        return response_408

    if response.status_code == 413:
        response_413 = ErrorBody.from_dict(response.json())

        return response_413

    if response.status_code == 415:
        response_415 = ErrorBody.from_dict(response.json())

        return response_415

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
) -> Response[ErrorBody | PostResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: CreatePostRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ErrorBody | PostResponse]:
    """Schedules a post and announces it with a `new_post_scheduled` event, in one transaction.
    With an `Idempotency-Key`, a repeated request returns the first post (header
    `idempotent-replayed: true`) and creates nothing.

    Args:
        idempotency_key (None | str | Unset):
        body (CreatePostRequest): Body of `POST /v1/posts`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PostResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: CreatePostRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> ErrorBody | PostResponse | None:
    """Schedules a post and announces it with a `new_post_scheduled` event, in one transaction.
    With an `Idempotency-Key`, a repeated request returns the first post (header
    `idempotent-replayed: true`) and creates nothing.

    Args:
        idempotency_key (None | str | Unset):
        body (CreatePostRequest): Body of `POST /v1/posts`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PostResponse
    """

    return sync_detailed(
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: CreatePostRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> Response[ErrorBody | PostResponse]:
    """Schedules a post and announces it with a `new_post_scheduled` event, in one transaction.
    With an `Idempotency-Key`, a repeated request returns the first post (header
    `idempotent-replayed: true`) and creates nothing.

    Args:
        idempotency_key (None | str | Unset):
        body (CreatePostRequest): Body of `POST /v1/posts`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorBody | PostResponse]
    """

    kwargs = _get_kwargs(
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: CreatePostRequest,
    idempotency_key: None | str | Unset = UNSET,
) -> ErrorBody | PostResponse | None:
    """Schedules a post and announces it with a `new_post_scheduled` event, in one transaction.
    With an `Idempotency-Key`, a repeated request returns the first post (header
    `idempotent-replayed: true`) and creates nothing.

    Args:
        idempotency_key (None | str | Unset):
        body (CreatePostRequest): Body of `POST /v1/posts`.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorBody | PostResponse
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
