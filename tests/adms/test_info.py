"""Device facts: INFO results, registry and options bodies, getrequest INFO."""

from custom_components.devicehub.adms import (
    DeviceInfo,
    parse_command_results,
    parse_device_info,
    parse_poll_info,
    parse_registry,
)

from .samples import sample


def test_the_specification_options_upload() -> None:
    info = parse_registry(sample("spec_options_upload.txt"))
    assert dict(info.values) == {"FingerFunOn": "1", "FaceFunOn": "1", "UserPicURLFunOn": "1"}


def test_a_real_registry_body() -> None:
    info = parse_registry(sample("speedface_v5l_registry.txt"))
    assert info.values["DeviceType"] == "acc"
    assert info.device_name == "SpeedFace-V5L-RFID[TI]"  # the tilde is dropped
    assert info.firmware == "ZAM180..."
    assert info.get("IPAddress") == "192.168.1.201"


def test_a_real_info_result_carries_device_facts() -> None:
    (result,) = parse_command_results(sample("speedface_v5l_info_result.txt")).records
    info = DeviceInfo(values=result.data)
    assert (info.device_name, info.mac) == ("SpeedFace", "00:17:61:12:f8:db")


def test_device_info_lines() -> None:
    body = (
        b"~DeviceName=SpeedFace-V5L-RFID[TI]\nFWVersion=ZAM180-NF-Ver1.1.17\n~SerialNumber=ABC1\n"
        b"Platform=ZAM180_TFT\nUserCount=2\nMaxUserCount=6000\nAttLogCount=x\nno equals sign\n"
        b"Long=" + b"v" * 300 + b"\n"
    )
    info = parse_device_info(body)
    assert (info.firmware, info.serial, info.platform) == (
        "ZAM180-NF-Ver1.1.17",
        "ABC1",
        "ZAM180_TFT",
    )
    assert info.count("UserCount") == 2
    assert info.count("MaxUserCount") == 6000
    assert info.count("AttLogCount") is None  # not a number
    assert info.count("FaceCount") is None
    assert "Long" not in info.values  # values over 256 characters are dropped
    assert info.mac is None


def test_the_specification_getrequest_info() -> None:
    info = parse_poll_info(sample("spec_getrequest_info.txt").decode().strip())
    assert info.firmware == "Ver 2.0.12-20150625"
    assert (info.users, info.fingerprints, info.records) == (0, 0, 0)
    assert info.ip_address == "192.168.16.27"
    assert len(info.raw) == 10


def test_short_or_odd_getrequest_info() -> None:
    info = parse_poll_info("Ver 8.0.4.7,x")
    assert (info.firmware, info.users, info.ip_address) == ("Ver 8.0.4.7", None, None)
    assert parse_poll_info("").firmware == ""
