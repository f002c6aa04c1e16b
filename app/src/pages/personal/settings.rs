//! `/personal/settings`: the seed's first question, "Quels sont mes paramètres de connexion ?",
//! answered with the user's own values — POP3 server, ports and TLS, the login in the domain's
//! style, how to send — plus automatic setup and a QR code that opens this page on a phone.

use crate::api::personal::my_connection_settings;
use crate::i18n::Lang;
use crate::model::SettingsView;
use crate::pages::backups::MAILBOX_OWNERS;
use crate::pages::components::client_settings::SettingsList;
use crate::pages::components::loaded::Loaded;
use crate::pages::current_lang;
use crate::pages::guard::Signed;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| my_connection_settings());
    let lang = current_lang();
    view! {
        <Signed
            roles=MAILBOX_OWNERS
            render=move |_| {
                view! {
                    <Title text=lang.pick("Paramètres de connexion — courrier", "Connection settings — courrier") />
                    <Loaded data render=move |v| view! { <Settings v lang /> } />
                }
            }
        />
    }
}

#[component]
fn Settings(v: SettingsView, lang: Lang) -> impl IntoView {
    let s = v.settings.clone();
    let p = v.ports.clone();
    view! {
        <section class="card" aria-labelledby="settings-title">
            <a class="back" href="/personal">{lang.pick("← Mon espace", "← My mailbox")}</a>
            <h1 id="settings-title">{lang.pick("Mes paramètres de connexion", "My connection settings")}</h1>
            <SettingsList
                s=s.clone()
                ports=p.clone()
                lang
                password=if v.two_factor {
                    view! {
                        <a href="/personal/security">
                            {lang.pick("un mot de passe d'application (Sécurité)", "an app password (Security)")}
                        </a>
                    }
                        .into_any()
                } else {
                    lang.pick("le même que pour cette page", "the same as for this page").into_any()
                }
            />
        </section>
        <section class="card" aria-labelledby="auto-title">
            <h2 id="auto-title">{lang.pick("Réglage automatique", "Automatic setup")}</h2>
            <p>
                {lang.pick(
                    "Thunderbird et Outlook trouvent ces réglages seuls : donnez-leur simplement votre adresse et votre mot de passe.",
                    "Thunderbird and Outlook find these settings by themselves: just give them your address and password.",
                )}
            </p>
            <p>
                <a class="button" href="/personal/mobileconfig" rel="external" download="courrier.mobileconfig">
                    {lang.pick("Profil pour iPhone, iPad ou Mac", "Profile for iPhone, iPad or Mac")}
                </a>
            </p>
        </section>
        <section class="card" aria-labelledby="qr-title">
            <h2 id="qr-title">{lang.pick("Sur votre téléphone", "On your phone")}</h2>
            <figure class="qr">
                <div
                    class="qr-code"
                    role="img"
                    aria-label=lang.pick("Code QR de l'adresse de cette page", "QR code of this page's address")
                    inner_html=v.qr_svg.clone()
                ></div>
                <figcaption>
                    {lang.pick(
                        "Scannez ce code avec l'appareil photo du téléphone pour ouvrir cette page : ",
                        "Scan this code with the phone's camera to open this page: ",
                    )}
                    <a href=v.page_url.clone()>{v.page_url.clone()}</a>
                </figcaption>
            </figure>
        </section>
    }
}
