def test_dashboard_greets_a_signed_in_sre(client_for, sre):
    response = client_for(sre).get("/")
    assert response.status_code == 200
    assert b"Service catalogue" in response.content
