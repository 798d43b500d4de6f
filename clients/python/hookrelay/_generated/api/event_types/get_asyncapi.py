from http import HTTPStatus
from typing import Any, cast

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_body import ErrorBody
from ...models.payload_format import PayloadFormat
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    payload_format: PayloadFormat | Unset = UNSET,
) -> dict[str, Any]:
    params: dict[str, Any] = {}

    json_payload_format: str | Unset = UNSET
    if not isinstance(payload_format, Unset):
        json_payload_format = payload_format.value

    params["payload_format"] = json_payload_format

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/asyncapi.json",
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Any | ErrorBody | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
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
) -> Response[Any | ErrorBody]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    payload_format: PayloadFormat | Unset = UNSET,
) -> Response[Any | ErrorBody]:
    """The AsyncAPI 3.0 document of the tenant's event catalogue: what its webhooks receive.

    Args:
        payload_format (PayloadFormat | Unset): How a delivery body is shaped.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorBody]
    """

    kwargs = _get_kwargs(
        payload_format=payload_format,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    payload_format: PayloadFormat | Unset = UNSET,
) -> Any | ErrorBody | None:
    """The AsyncAPI 3.0 document of the tenant's event catalogue: what its webhooks receive.

    Args:
        payload_format (PayloadFormat | Unset): How a delivery body is shaped.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorBody
    """

    return sync_detailed(
        client=client,
        payload_format=payload_format,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    payload_format: PayloadFormat | Unset = UNSET,
) -> Response[Any | ErrorBody]:
    """The AsyncAPI 3.0 document of the tenant's event catalogue: what its webhooks receive.

    Args:
        payload_format (PayloadFormat | Unset): How a delivery body is shaped.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | ErrorBody]
    """

    kwargs = _get_kwargs(
        payload_format=payload_format,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    payload_format: PayloadFormat | Unset = UNSET,
) -> Any | ErrorBody | None:
    """The AsyncAPI 3.0 document of the tenant's event catalogue: what its webhooks receive.

    Args:
        payload_format (PayloadFormat | Unset): How a delivery body is shaped.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | ErrorBody
    """

    return (
        await asyncio_detailed(
            client=client,
            payload_format=payload_format,
        )
    ).parsed
