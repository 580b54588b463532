from hypothesis import given
from hypothesis import strategies as st
from registration.domain.identity import (
    CustomerIdentity,
    normalize_company_name,
    normalize_domain,
    normalize_product_line,
    normalized_domain_afresh,
    same_organization,
)


def test_domains_are_normalized_from_urls_and_emails():
    assert normalize_domain("https://WWW.Globex.example/about?x=1") == "globex.example"
    assert normalize_domain("globex.example:443") == "globex.example"
    assert normalize_domain("buyer@globex.example") == "globex.example"
    assert normalize_domain("Globex.Example.") == "globex.example"
    assert normalize_domain("   ") is None
    assert normalize_domain(None) is None


def test_company_names_lose_case_accents_punctuation_and_legal_forms():
    assert normalize_company_name("Globex Manufacturing, Inc.") == "globex manufacturing"
    assert normalize_company_name("GLOBEX MANUFACTURING LLC") == "globex manufacturing"
    assert normalize_company_name("Société Générale S.A.") == "societe generale"
    assert normalize_company_name("Société Générale SA") == "societe generale"
    assert normalize_company_name("The Boring Company") == "boring"
    assert normalize_company_name("AT&T Inc") == "at and t"


def test_identity_is_the_domain_when_there_is_one_else_the_name():
    with_domain = CustomerIdentity.of("Globex Inc", "https://globex.example")
    without = CustomerIdentity.of("GLOBEX, Inc.", None)
    other_domain = CustomerIdentity.of("Globex Inc", "globex.de")
    assert with_domain.key == "d:globex.example"
    assert without.key == "n:globex"
    assert with_domain.same_customer(without)
    assert not with_domain.same_customer(other_domain)
    assert with_domain.same_customer(CustomerIdentity.of("Totally Different Name", "globex.example"))
    assert set(with_domain.lock_keys) == {"d:globex.example", "n:globex"}
    assert set(without.lock_keys) & set(with_domain.lock_keys)


def test_product_lines_compare_case_and_space_insensitively():
    assert normalize_product_line("  Cloud   Analytics ") == normalize_product_line("cloud analytics")


def test_self_dealing_matches_the_domain_and_its_subdomains_only():
    assert same_organization("acme.example", "acme.example")
    assert same_organization("it.acme.example", "www.acme.example")
    assert not same_organization("notacme.example", "acme.example")
    assert not same_organization(None, "acme.example")


_DOMAINISH = st.text(alphabet=st.sampled_from("aZ.-:/@?#wW hTtps0é"), max_size=30)


@given(st.lists(st.one_of(st.none(), _DOMAINISH, st.text(max_size=20)), max_size=8))
def test_remembered_domains_are_normalized_as_computed_afresh(domains: list[str | None]) -> None:
    for domain in [*domains, *domains]:  # the second time from the cache
        assert normalize_domain(domain) == normalized_domain_afresh(domain)
